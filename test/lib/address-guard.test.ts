import { describe, expect, it } from "vitest";
import { assertPublicUrl, isPublicUrl, isSpecialUseAddress } from "../../src/lib/address-guard.ts";

describe("isSpecialUseAddress", () => {
  it.each([
    "0.0.0.0",
    "0.1.2.3",
    "10.1.2.3",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "[::1]",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::7f00:1",
    "64:ff9b::127.0.0.1",
    "64:ff9b::a00:1",
    "64:ff9b:1::1",
    "100::1",
    "2001::1",
    "2001:1ff:ffff::1",
    "2001:db8::1",
    "2001:DB8:ffff::1",
    "2002:7f00:1::1",
    "2002:c0a8:101::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "not-an-address",
  ])("%s is special-use", (address) => {
    expect(isSpecialUseAddress(address)).toBe(true);
  });

  it.each([
    "93.184.215.14",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.0.1.1",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2a01:4f8::1",
    "::ffff:93.184.215.14",
    "64:ff9b::5db8:d70e",
    "2001:200::1",
    "2001:dc8::1",
    "2002:5db8:d70e::1",
  ])("%s is public", (address) => {
    expect(isSpecialUseAddress(address)).toBe(false);
  });
});

describe("assertPublicUrl", () => {
  const noDns = async () => {
    throw new Error("no DNS in this test");
  };

  it.each([
    "http://127.0.0.1/inbox",
    "http://[::1]:8080/inbox",
    "http://[2001:db8::1]/inbox",
    "http://[::ffff:127.0.0.1]/inbox",
    "http://[::ffff:a9fe:a9fe]/latest/meta-data",
    // WHATWG URL turns these into 127.0.0.1 and 127.0.0.1; the guard sees the normalized host.
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://169.254.169.254/latest/meta-data",
  ])("refuses %s without asking DNS", async (url) => {
    await expect(assertPublicUrl(url, noDns)).rejects.toMatchObject({ status: 403 });
  });

  it("refuses a name when any of its addresses is special-use", async () => {
    const lookup = async () => ["93.184.215.14", "10.0.0.5"];
    await expect(assertPublicUrl("https://rebind.example/inbox", lookup)).rejects.toThrow(
      /10\.0\.0\.5 is not a public address/,
    );
    expect(await isPublicUrl("https://v6.example/", async () => ["2001:db8::1"])).toBe(false);
    expect(await isPublicUrl("https://gone.example/", noDns)).toBe(false);
    expect(await isPublicUrl("https://none.example/", async () => [])).toBe(false);
  });

  it("refuses schemes other than http(s) and accepts public hosts", async () => {
    expect(await isPublicUrl("file:///etc/passwd", noDns)).toBe(false);
    expect(await isPublicUrl("ftp://93.184.215.14/", noDns)).toBe(false);
    expect(await isPublicUrl("https://93.184.215.14/inbox", noDns)).toBe(true);
    expect(await isPublicUrl("https://[2606:4700::1111]/", noDns)).toBe(true);
    const lookup = async (host: string) => (host === "peer.example" ? ["93.184.215.14"] : []);
    expect(await isPublicUrl("https://peer.example/users/a/inbox", lookup)).toBe(true);
  });
});
