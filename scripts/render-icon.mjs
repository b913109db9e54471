// Renders the marketplace icon media/icon.png (128×128) from the activity-bar glyph media/mergexo.svg:
// the same lines in white on a rounded indigo square, drawn by headless Chromium (playwright-core) so
// no image tool is needed. The PNG is committed; run this again after changing the SVG:
//
//   node scripts/render-icon.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from './code-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 128;

const glyph = readFileSync(path.join(ROOT, 'media', 'mergexo.svg'), 'utf8')
  .replace(/<!--[\s\S]*?-->/g, '')
  .replace(/width="24" height="24"/, `width="${SIZE * 0.7}" height="${SIZE * 0.7}"`)
  .replace(/stroke-width="[\d.]+"/, 'stroke-width="1.9"');

const html = `<!doctype html><html><head><style>
  html, body { margin: 0; background: transparent; }
  .tile { width: ${SIZE}px; height: ${SIZE}px; border-radius: ${SIZE * 0.19}px; display: grid;
    place-items: center; color: #fff; background: linear-gradient(135deg, #5b5fe6 0%, #3a2fa8 100%); }
</style></head><body><div class="tile">${glyph}</div></body></html>`;

const browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(html);
  const file = path.join(ROOT, 'media', 'icon.png');
  await page.locator('.tile').screenshot({ path: file, omitBackground: true });
  console.log(`wrote ${path.relative(ROOT, file)} (${SIZE}×${SIZE})`);
} finally {
  await browser.close();
}
