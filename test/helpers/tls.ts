import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A self-signed certificate for localhost / 127.0.0.1. Fedify looks up `acct:` handles over
 * https only, so servers that federate on loopback need TLS; each server process trusts this
 * certificate through NODE_EXTRA_CA_CERTS.
 */
export function makeCertificate(): { certFile: string; key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "tern-tls-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  const conf = join(dir, "openssl.cnf");
  writeFileSync(
    conf,
    `[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=localhost\n[ext]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:TRUE\n`,
  );
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-config",
      conf,
    ],
    {
      stdio: "ignore",
    },
  );
  return { certFile, key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
}

/** A TLS front that forwards every request, Host header included, to a plain HTTP origin. */
export interface TlsFront {
  server: Server;
  port: number;
  /** Where requests go from now on; until it is set the front answers 502. */
  forwardTo(target: string): void;
}

/**
 * Binds the front first, on a port the kernel picks, so that the port a site names in its
 * PUBLIC_URL is held from the start (a port found free and bound seconds later, after the site's
 * database was seeded, was taken by another test's listener once in CI).
 */
export async function openTlsFront(tls: { key: string; cert: string }): Promise<TlsFront> {
  let upstream: URL | undefined;
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (!upstream) {
      res.writeHead(502);
      res.end();
      return;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  // No host: dual-stack, since "localhost" may resolve to ::1 or to 127.0.0.1.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    server,
    port,
    forwardTo(target) {
      upstream = new URL(target);
    },
  };
}
