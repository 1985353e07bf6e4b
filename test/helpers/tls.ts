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

/** A TLS front on `port` that forwards every request, Host header included, to a plain HTTP port. */
export function tlsFront(
  tls: { key: string; cert: string },
  port: number,
  target: string,
): Promise<Server> {
  const upstream = new URL(target);
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
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
  return new Promise((resolve) => server.listen(port, () => resolve(server)));
}
