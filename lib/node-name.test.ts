import { describe, expect, it } from "vitest";
import { nodeName } from "./node-name";

describe("nodeName", () => {
  it("is the canvas name, else the kind's name, else the id", () => {
    expect(nodeName({ id: "mail", label: "Thank-you mail" }, "Send e-mail")).toBe("Thank-you mail");
    expect(nodeName({ id: "mail", label: "  " }, "Send e-mail")).toBe("Send e-mail");
    expect(nodeName({ id: "mail" }, "Send e-mail")).toBe("Send e-mail");
    expect(nodeName({ id: "mail", label: null }, undefined)).toBe("mail");
  });
});
