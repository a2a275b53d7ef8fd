export function partialAmd(): string;
export function noisyAmd(): string;
export function writeSample(dir: string, name: string, text: string): string;
