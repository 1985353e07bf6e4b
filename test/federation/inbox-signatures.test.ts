import { expect, it } from "vitest";
import { rfc9421Components, signatureProblem } from "../../src/federation/inbox-signatures.ts";

const HOST = "tern.test";
const headers = (h: Record<string, string>) => new Headers(h);

it("reads the components of every RFC 9421 label", () => {
  const input =
    'sig1=("@method" "@target-uri" "content-digest");created=1;keyid="https://a.example/k,1";alg="rsa-v1_5-sha256", ' +
    'sig2=("@method" "@query-param";name="x" "@authority" "@path");created=2;keyid="k2"';
  expect(Object.fromEntries(rfc9421Components(input)!)).toEqual({
    sig1: ["@method", "@target-uri", "content-digest"],
    sig2: ["@method", "@query-param", "@authority", "@path"],
  });
  expect(rfc9421Components("sig1=:abc:")).toBeNull();
  expect(rfc9421Components("")).toBeNull();
});

it("wants every label to cover method, target and content-digest", () => {
  const digest = { "content-digest": "sha-256=:x:", signature: "sig1=:x:" };
  const ok = '("@method" "@authority" "@path" "content-digest");created=1;keyid="k"';
  expect(
    signatureProblem(headers({ ...digest, "signature-input": `sig1=${ok}` }), [HOST], HOST),
  ).toBeNull();
  // One sufficient label does not excuse another: Fedify accepts whichever verifies.
  const weak = `sig1=${ok}, sig2=("@method" "@target-uri");created=1;keyid="k"`;
  expect(signatureProblem(headers({ ...digest, "signature-input": weak }), [HOST], HOST)).toBe(
    "Signature sig2 must cover @method, @target-uri and content-digest",
  );
  expect(
    signatureProblem(
      headers({ signature: "sig1=:x:", "signature-input": `sig1=${ok}` }),
      [HOST],
      HOST,
    ),
  ).toBe("Content-Digest header is missing");
});

it("wants draft-cavage to sign request-target, host, date and digest, for this host", () => {
  const sig = (h: string) => ({
    signature: `keyId="k",algorithm="rsa-sha256",headers="${h}",signature="x"`,
    digest: "SHA-256=x",
  });
  expect(
    signatureProblem(headers(sig("(request-target) host date digest")), [HOST], HOST),
  ).toBeNull();
  expect(signatureProblem(headers(sig("(request-target) date")), [HOST], HOST)).toBe(
    "Signature must cover host, digest",
  );
  expect(
    signatureProblem(
      headers(sig("(request-target) host date digest")),
      ["other.example", HOST],
      HOST,
    ),
  ).toBe("Request was signed for other.example, not for this server");
  // Unsigned requests are Fedify's to judge (an object proof may carry them).
  expect(signatureProblem(headers({}), ["other.example"], HOST)).toBeNull();
});
