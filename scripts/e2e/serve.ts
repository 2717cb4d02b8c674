import net from "node:net";
import { execa, type ResultPromise } from "execa";

/** A free loopback port, picked by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface RunningService {
  readonly baseUrl: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * `make serve` in `projectDir` on a loopback port, waiting (bounded) until the protocol's
 * readiness route answers 200. The whole process group (make → uv → uvicorn) is stopped.
 */
export async function startService(
  projectDir: string,
  env: Record<string, string> = {},
): Promise<RunningService> {
  const port = await freePort();
  const child: ResultPromise = execa("make", ["serve"], {
    cwd: projectDir,
    env: { ...env, HOST: "127.0.0.1", PORT: String(port) },
    detached: true,
    reject: false,
    all: true,
  });
  let log = "";
  child.all?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await child;
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${baseUrl}/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { baseUrl, stop, output: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`service in ${projectDir} did not become ready:\n${log}`);
}
