import { describe, expect, it } from "vitest";
import { checkTemplate, compileTemplate, LIMITS, TemplateError, templateValue, type TemplateScope } from "./liquid";

const scope = (row: Record<string, unknown> = {}, profile: Record<string, unknown> = {}): TemplateScope => ({ row, profile, unsubscribe_url: "https://app.example/u/t" });

function errorOf(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("message templates (Liquid, sandboxed)", () => {
  it("personalises from the row and the profile; HTML is escaped unless marked raw, text is not", () => {
    const html = compileTemplate("<p>Hi {{ profile.first_name }}, you pay {{ row.MonthlyCharges }}. {{ row.note }} {{ row.note | raw }}</p>", "html");
    expect(html.render(scope({ MonthlyCharges: 70.35, note: "<b>&</b>" }, { first_name: "Ann" }))).toBe("<p>Hi Ann, you pay 70.35. &lt;b&gt;&amp;&lt;/b&gt; <b>&</b></p>");
    const text = compileTemplate("Hi {{ profile.first_name | default: 'there' }}: {{ row.note }}", "text");
    expect(text.render(scope({ note: "<b>" }, {}))).toBe("Hi there: <b>");
    // Captured or hand-escaped values are not escaped twice.
    expect(compileTemplate("{% capture c %}{{ row.x }}{% endcapture %}{{ c }}|{{ row.x | escape }}", "html").render(scope({ x: "a<b" }))).toBe("a&lt;b|a&lt;b");
  });

  it("an unknown filter is an error with its line and column", () => {
    expect(checkTemplate("Hello\n  {{ row.name | shout }}", "text")).toEqual({ line: 2, column: 3, message: 'unknown filter "shout"' });
  });

  it("an unclosed tag is an error with its line and column", () => {
    expect(checkTemplate("one\ntwo {% if row.vip %}VIP", "html")).toEqual({ line: 2, column: 5, message: "tag {% if row.vip %} not closed" });
    expect(checkTemplate("{{ row.name ", "text")?.message).toMatch(/not closed/);
  });

  it("a loop over ten million items stops at the limits, quickly", () => {
    const started = Date.now();
    const big = checkTemplate("{% for i in (1..10000000) %}x{% endfor %}", "html");
    expect(big?.message).toMatch(/more than 1,000,000 characters or items/);
    const nested = checkTemplate("{% for i in (1..5000) %}{% for j in (1..2000) %}x{% endfor %}{% endfor %}", "text");
    expect(nested).toMatchObject({ line: 1, message: expect.stringMatching(/longer than 500 ms/) });
    expect(Date.now() - started).toBeLessThan(5 * LIMITS.renderMs);
    // Also when the size comes from the data (only a render with it can tell).
    const fromData = compileTemplate("{% for i in (1..row.n) %}x{% endfor %}", "text");
    expect(checkTemplate("{% for i in (1..row.n) %}x{% endfor %}", "text")).toBeNull();
    expect(errorOf(() => fromData.render(scope({ n: 10_000_000 }))).problem.message).toMatch(/more than/);
  });

  it("object machinery is out of reach: this, constructor, __proto__, prototype", () => {
    expect(checkTemplate("{{ this.constructor }}", "html")).toEqual({ line: 1, column: 4, message: '"constructor" cannot be used in a template (only the row\'s columns and the profile\'s traits)' });
    expect(checkTemplate("{{ this }}", "html")?.message).toBe('unknown variable "this" (a template can use row, profile and unsubscribe_url)');
    expect(checkTemplate("{{ row.constructor.name }}", "text")?.message).toMatch(/"constructor" cannot be used/);
    expect(checkTemplate("{{ row['__proto__'] }}", "text")?.message).toMatch(/"__proto__" cannot be used/);
    expect(checkTemplate("{{ profile.prototype }}", "text")?.message).toMatch(/"prototype" cannot be used/);
    // Through a variable the check cannot see: own properties only, so nothing comes out.
    const sneaky = compileTemplate("{% assign k = 'constructor' %}[{{ row[k] }}][{{ row[k].name }}][{{ profile['has' | append: 'OwnProperty'] }}]", "text");
    expect(sneaky.render(scope({ a: 1 }, { b: 2 }))).toBe("[][][]");
  });

  it("no templates from elsewhere: include, render and layout do not exist", () => {
    expect(checkTemplate("{% include 'secrets' %}", "html")?.message).toBe("{% include %} is not available: a message template cannot load other templates");
    expect(checkTemplate("{% render '/etc/passwd' %}", "text")?.message).toMatch(/render %} is not available/);
    expect(checkTemplate("{% layout 'x' %}", "text")?.message).toMatch(/layout %} is not available/);
  });

  it("names the unknown variable and says how to reach a column or trait", () => {
    expect(checkTemplate("Hi {{ first_name }}", "text")).toEqual({
      line: 1,
      column: 7,
      message: 'unknown variable "first_name"; write row.first_name for a column or profile.first_name for a trait (a template can use row, profile and unsubscribe_url)',
    });
    // Its own variables are fine.
    expect(checkTemplate("{% assign n = row.x | plus: 1 %}{{ n }}{% for i in (1..2) %}{{ forloop.index }}{{ i }}{% endfor %}{{ unsubscribe_url }}", "html")).toBeNull();
  });

  it("with roots \"any\" (the columns themselves as variables) the same sandbox holds", () => {
    const json = compileTemplate('{"to": {{ phone | json }}, "n": {{ n }}}', "text", { roots: "any" });
    expect(JSON.parse(json.render({ phone: "+44 7700", n: 2 }))).toEqual({ to: "+44 7700", n: 2 });
    expect(checkTemplate("{{ this.name }}", "text", { roots: "any" })?.message).toBe('unknown variable "this"');
    expect(checkTemplate("{{ phone.constructor }}", "text", { roots: "any" })?.message).toMatch(/"constructor" cannot be used/);
    expect(checkTemplate("{{ x | nope }}", "text", { roots: "any" })?.message).toBe('unknown filter "nope"');
  });

  it("a template over the size limit is refused before parsing", () => {
    expect(checkTemplate("x".repeat(LIMITS.templateChars + 1), "text")?.message).toMatch(/longer than 100,000 characters/);
  });

  it("values are plain: bigints as numbers, dates as ISO text, objects without machinery", () => {
    expect(templateValue({ a: 1n, d: new Date("2024-01-02T03:04:05Z"), n: null, o: { x: [1, "y"] } })).toEqual({ a: 1, d: "2024-01-02T03:04:05.000Z", n: null, o: { x: [1, "y"] } });
    const polluted = JSON.parse('{"__proto__": {"x": 1}, "ok": 2}') as Record<string, unknown>;
    expect(templateValue(polluted)).toEqual({ ok: 2 });
  });
});
