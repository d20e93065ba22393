import { execFileSync } from 'node:child_process';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNoFollow, openNoFollow } from '../../../src/oci/content/archive/safe-writes.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'safe-writes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

describe('createNoFollow', () => {
  test('creates a new file with the mode asked (less the umask, as any new file)', () => {
    write(createNoFollow(join(dir, 'new.yaml'), 0o640), 'a: 1\n');
    writeFileSync(join(dir, 'reference'), '', { mode: 0o640 });
    expect(readFileSync(join(dir, 'new.yaml'), 'utf8')).toBe('a: 1\n');
    expect(lstatSync(join(dir, 'new.yaml')).mode & 0o777).toBe(
      lstatSync(join(dir, 'reference')).mode & 0o777,
    );
  });

  test('replaces the content of a file already there (an entry given twice)', () => {
    writeFileSync(join(dir, 'twice.yaml'), 'first and longer\n');
    write(createNoFollow(join(dir, 'twice.yaml'), 0o644), 'second\n');
    expect(readFileSync(join(dir, 'twice.yaml'), 'utf8')).toBe('second\n');
  });

  test('never writes through a symlink, even a dangling one', () => {
    writeFileSync(join(dir, 'target'), 'untouched\n');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(() => createNoFollow(join(dir, 'link'), 0o644)).toThrow(
      `refusing to overwrite ${join(dir, 'link')}: it exists and is not a regular file`,
    );
    expect(() => createNoFollow(join(dir, 'dangling'), 0o644)).toThrow('is not a regular file');
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('untouched\n');
    expect(() => lstatSync(join(dir, 'nowhere'))).toThrow();
  });

  test('refuses a directory at the path', () => {
    mkdirSync(join(dir, 'sub'));
    expect(() => createNoFollow(join(dir, 'sub'), 0o644)).toThrow('is not a regular file');
  });
});

describe('openNoFollow', () => {
  test('refuses a FIFO at the path at once, without waiting for a reader', () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(() => openNoFollow(join(dir, 'fifo'), 0o644)).toThrow(
      `refusing to overwrite ${join(dir, 'fifo')}: it exists and is not a regular file`,
    );
  });

  test('truncates a regular file it opens', () => {
    writeFileSync(join(dir, 'file'), 'longer content\n');
    write(openNoFollow(join(dir, 'file'), 0o644), 'short\n');
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('short\n');
  });
});
