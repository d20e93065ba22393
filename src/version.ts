/** This package's version, as in package.json (test/version.test.ts keeps the two equal). */
export const PACKAGE_VERSION = '0.1.0';
