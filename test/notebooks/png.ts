// Just enough of PNG to read the screenshots Chromium takes (8-bit RGB or RGBA, not
// interlaced), and to judge how readable a rendered picture is.
import zlib from "node:zlib";

export interface Pixels {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, rows top to bottom. */
  rgb: Uint8Array;
}

export function decodePng(png: Buffer): Pixels {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error("not a PNG");
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString("latin1", off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const color = data[9];
      const interlace = data[12];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG (bit depth ${depth}, colour type ${color}, interlace ${interlace})`);
      }
      channels = color === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const cur = new Uint8Array(stride);
  const prev = new Uint8Array(stride);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (line[i]! + pred) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      rgb.set(cur.subarray(x * channels, x * channels + 3), (y * width + x) * 3);
    }
    prev.set(cur);
  }
  return { width, height, rgb };
}

/** WCAG relative luminance of an sRGB colour (0 black .. 1 white). */
export function luminance(r: number, g: number, b: number): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two luminances (1 .. 21). */
export function contrast(l1: number, l2: number): number {
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

export interface Legibility {
  /** The most common colour: the picture's background. */
  background: [number, number, number];
  backgroundLuminance: number;
  /** Share of pixels that contrast with the background at least 4.5:1 (text, lines). */
  inkShare: number;
}

/** How a picture reads: its background, and how much of it stands out clearly from that. */
export function legibility(p: Pixels): Legibility {
  const counts = new Map<number, number>();
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const key = (p.rgb[i * 3]! << 16) | (p.rgb[i * 3 + 1]! << 8) | p.rgb[i * 3 + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let bg = 0;
  let best = -1;
  for (const [k, c] of counts) if (c > best) [bg, best] = [k, c];
  const background: [number, number, number] = [bg >> 16, (bg >> 8) & 0xff, bg & 0xff];
  const lb = luminance(...background);
  let ink = 0;
  for (const [k, c] of counts) {
    if (contrast(luminance(k >> 16, (k >> 8) & 0xff, k & 0xff), lb) >= 4.5) ink += c;
  }
  return { background, backgroundLuminance: lb, inkShare: n ? ink / n : 0 };
}
