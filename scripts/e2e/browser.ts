import { execa } from "execa";

/**
 * The DOM of a local HTML file after headless Chromium parsed and rendered it. The flags keep
 * Chromium off the network this machine does not have (background services, updates, sync).
 */
export async function renderedDom(file: string): Promise<string> {
  const r = await execa(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--dump-dom",
      `file://${file}`,
    ],
    { timeout: 60_000 },
  );
  return r.stdout;
}
