import { readFileSync } from 'node:fs';
import { PACKAGE_VERSION } from '../src/version.js';

describe('PACKAGE_VERSION', () => {
  it("is package.json's version, which --version and the registry User-Agent report", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(PACKAGE_VERSION).toBe(pkg.version);
  });
});
