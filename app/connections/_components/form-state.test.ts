import { describe, expect, it } from "vitest";
import { checkConnection, kinds, type ConnectionKind } from "../../../server/services/connection-kinds";
import { createInput, hostList, initialState, ownHost, plainHttpShown, setValue, updateInput, type FormState, type KindSpec, type StoredConnection } from "./form-state";

const spec = (kind: string): KindSpec => kinds().find((k) => k.kind === kind)!;

const type = (state: FormState, name: string, text: string) => [...text].reduce((s, _, i) => setValue(s, name, text.slice(0, i + 1)), state);

describe("connection form state", () => {
  it("starts a new connection from the kind's defaults, with no secrets and no hosts", () => {
    const s = initialState(spec("postgres"), undefined, "warehouse");
    expect(s).toMatchObject({ kind: "postgres", name: "warehouse", secrets: {}, hostsText: "", plainHttp: [] });
    expect(s.values).toEqual({ host: "", port: "5432", database: "", user: "", ssl: false, statementTimeoutMs: "30000" });
    expect(s.values).not.toHaveProperty("password");
  });

  it("fills the hosts from the host field as it is typed, and lets them be changed", () => {
    let s = type(initialState(spec("postgres")), "host", "DB.example.com");
    expect(s.hostsText).toBe("db.example.com");
    s = { ...s, hostsText: "db.example.com\nreplica.example.com" };
    s = type(setValue(s, "host", ""), "host", "db2.example.com");
    expect(hostList(s.hostsText)).toEqual(["replica.example.com", "db2.example.com"]);
  });

  it("replaces the old own host by the new one where it is listed", () => {
    const stored: StoredConnection = {
      id: "c1",
      name: "api",
      kind: "http",
      config: { baseUrl: "http://old.local/v1", auth: "bearer" },
      secretsSet: { token: true },
      hosts: ["old.local", "cdn.example.com"],
      plainHttpHosts: ["old.local"],
      origin: "app",
    };
    let s = initialState(spec("http"), stored);
    expect(s.values).toMatchObject({ baseUrl: "http://old.local/v1", auth: "bearer", user: "", headerName: "" });
    expect(s.secrets).toEqual({});
    s = setValue(s, "baseUrl", "http://new.local/v1");
    expect(hostList(s.hostsText)).toEqual(["new.local", "cdn.example.com"]);
    expect(plainHttpShown(s)).toEqual(["new.local"]);
  });

  it("finds the own host of each kind", () => {
    expect(ownHost("http", { baseUrl: "https://API.example.com:8443/x" })).toBe("api.example.com");
    expect(ownHost("http", { baseUrl: "not a url" })).toBeNull();
    expect(ownHost("smtp", { host: " [::1] " })).toBe("::1");
    expect(ownHost("sqlite", { file: "/data/crm.sqlite" })).toBeNull();
  });

  it("sends a new connection: typed values, numbers as numbers, empty ones left out, secrets only when typed", () => {
    let s = initialState(spec("smtp"), undefined, " mail ");
    s = setValue(setValue(s, "host", "smtp.example.com"), "from", "Shop <news@example.com>");
    s = { ...s, secrets: { password: "hunter2" } };
    expect(createInput(spec("smtp"), s)).toEqual({
      name: "mail",
      kind: "smtp",
      config: { host: "smtp.example.com", port: 587, secure: false, from: "Shop <news@example.com>" },
      secrets: { password: "hunter2" },
      hosts: ["smtp.example.com"],
    });
  });

  it("sends a SQLite file without hosts", () => {
    const s = setValue(initialState(spec("sqlite"), undefined, "crm"), "file", "/srv/crm.sqlite");
    expect(createInput(spec("sqlite"), s)).toEqual({ name: "crm", kind: "sqlite", config: { file: "/srv/crm.sqlite" }, secrets: {} });
  });

  it("sends a change: emptied fields as empty (back to the default), untyped secrets left out (kept)", () => {
    const stored: StoredConnection = {
      id: "c2",
      name: "mail",
      kind: "smtp",
      config: { host: "smtp.example.com", port: 465, secure: true, user: "news", from: "news@example.com" },
      secretsSet: { password: true },
      hosts: ["smtp.example.com"],
      plainHttpHosts: [],
      origin: "app",
    };
    const s = setValue(setValue(initialState(spec("smtp"), stored), "port", ""), "user", "");
    expect(updateInput(spec("smtp"), s)).toEqual({
      name: "mail",
      config: { host: "smtp.example.com", port: "", secure: true, user: "", from: "news@example.com" },
      secrets: {},
      hosts: ["smtp.example.com"],
    });
    expect(updateInput(spec("smtp"), { ...s, secrets: { password: "new" } }).secrets).toEqual({ password: "new" });
  });

  it("allows plain http only for listed hosts of an HTTP API", () => {
    let s = type(initialState(spec("http"), undefined, "api"), "baseUrl", "http://intranet.local/api");
    s = { ...s, plainHttp: ["intranet.local", "gone.local"], hostsText: "intranet.local\n\nintranet.local\nother.example.com" };
    expect(createInput(spec("http"), s)).toMatchObject({ hosts: ["intranet.local", "other.example.com"], plainHttpHosts: ["intranet.local"] });
  });

  it("sends what the server's check accepts", () => {
    const cases: FormState[] = [
      { ...type(initialState(spec("postgres"), undefined, "warehouse"), "host", "db.example.com"), values: { host: "db.example.com", port: "5432", database: "crm", user: "reader", ssl: true, statementTimeoutMs: "" } },
      { ...type(initialState(spec("http"), undefined, "api"), "baseUrl", "http://intranet.local/v1"), plainHttp: ["intranet.local"], secrets: {} },
      setValue(setValue(initialState(spec("smtp"), undefined, "mail"), "host", "smtp.example.com"), "from", "news@example.com"),
    ];
    for (const s of cases) {
      const input = createInput(spec(s.kind), s);
      const checked = checkConnection(s.kind as ConnectionKind, input.config, input.secrets, input.hosts, input.plainHttpHosts, {});
      expect(checked.hosts, s.kind).toEqual(input.hosts);
    }
  });
});
