import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { expect } from "vitest";
import { artifactPath } from "./artifacts.js";

/** The headless Chromium binary (Debian's `chromium`); scripts/bootstrap.sh installs it. */
export async function chromiumBinary(): Promise<string> {
  for (const candidate of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = await execa("sh", ["-c", `command -v ${candidate}`], { reject: false });
    if (found.exitCode === 0) return found.stdout.trim();
  }
  throw new Error("chromium not found: run scripts/bootstrap.sh (it installs Debian's chromium)");
}

export interface Rendered {
  readonly dom: string;
  readonly images: number;
  readonly loadedImages: number;
}

/**
 * Render an HTML file in headless Chromium and count the images that actually decoded.
 * A copy of the page gets a tiny script that records the count in the DOM, so the report
 * itself stays static; `--dump-dom` then returns the DOM after load.
 */
export async function renderHtml(file: string): Promise<Rendered> {
  const probe = path.join(path.dirname(file), `.render-check-${path.basename(file)}`);
  const script = `<script>addEventListener("load", () => {
    const imgs = [...document.images];
    document.body.dataset.images = String(imgs.length);
    document.body.dataset.loaded = String(imgs.filter((i) => i.complete && i.naturalWidth > 0).length);
  });</script>`;
  await fs.writeFile(
    probe,
    (await fs.readFile(file, "utf8")).replace("</body>", `${script}</body>`),
  );
  try {
    const result = await execa(
      await chromiumBinary(),
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
        "--dump-dom",
        `file://${probe}`,
      ],
      { timeout: 120_000 },
    );
    const dom = result.stdout;
    const images = Number(/data-images="(\d+)"/.exec(dom)?.[1] ?? "-1");
    const loadedImages = Number(/data-loaded="(\d+)"/.exec(dom)?.[1] ?? "-1");
    return { dom, images, loadedImages };
  } finally {
    await fs.rm(probe, { force: true });
  }
}

export interface Screenshot {
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

/**
 * A PNG of an HTML file as headless Chromium draws it, 1280 px wide and `height` px tall (the
 * top of the page, where a reader starts). Returns the PNG's size read from its header, so a
 * caller can tell a drawn page from a failed or empty capture.
 */
export async function screenshot(file: string, png: string, height = 2400): Promise<Screenshot> {
  await fs.rm(png, { force: true });
  await execa(
    await chromiumBinary(),
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--allow-file-access-from-files",
      "--disable-background-networking",
      "--disable-component-update",
      "--virtual-time-budget=5000",
      `--window-size=1280,${height}`,
      `--screenshot=${png}`,
      `file://${file}`,
    ],
    { timeout: 120_000 },
  );
  const data = await fs.readFile(png);
  if (data.subarray(1, 4).toString("latin1") !== "PNG") throw new Error(`${png} is not a PNG`);
  // IHDR, the first chunk: width and height are the big-endian words at bytes 16 and 20.
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), bytes: data.length };
}

/**
 * A screenshot of the page, kept with the e2e artifacts as `name`, that shows something was
 * drawn: 1280 px wide and more than `minBytes` (a blank page's capture is far smaller).
 */
export async function expectDrawn(
  page: string,
  name: string,
  options: { minBytes: number; height?: number },
): Promise<void> {
  const shot = await screenshot(page, await artifactPath(name), options.height);
  expect(shot.width).toBe(1280);
  expect(shot.bytes, `${name}: ${shot.bytes} bytes`).toBeGreaterThan(options.minBytes);
}
