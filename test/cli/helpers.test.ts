// The command line's helpers: credential flags, progress lines, Go durations, tables.
import { credentialsFromFlags } from '../../src/cli/credentials.js';
import { parseGoDuration } from '../../src/cli/registry-options.js';
import { formatTable } from '../../src/cli/output.js';
import { escapeControl } from '../../src/terminal-text.js';
import { progressReporter } from '../../src/cli/progress.js';

describe('credential flags', () => {
  const noStdin = () => Promise.reject(new Error('stdin not expected'));
  it('reads --creds user:password, a token, or a user with the password from env or stdin', async () => {
    expect(await credentialsFromFlags({ creds: 'u:p:q' }, {}, noStdin)).toEqual({
      username: 'u',
      password: 'p:q',
    });
    expect(await credentialsFromFlags({ creds: 'tok' }, {}, noStdin)).toEqual({
      registryToken: 'tok',
    });
    expect(await credentialsFromFlags({ creds: 'u' }, { OCI_PASSWORD: 'env' }, noStdin)).toEqual({
      username: 'u',
      password: 'env',
    });
    expect(
      await credentialsFromFlags({ username: 'u', passwordStdin: true }, {}, () =>
        Promise.resolve('in'),
      ),
    ).toEqual({
      username: 'u',
      password: 'in',
    });
    expect(await credentialsFromFlags({}, {}, noStdin)).toBeUndefined();
  });
  it('refuses contradictions with the fix', async () => {
    await expect(
      credentialsFromFlags({ creds: 'a:b', username: 'c' }, {}, noStdin),
    ).rejects.toThrow('either --creds or --username');
    await expect(
      credentialsFromFlags({ username: 'a:b' }, { OCI_PASSWORD: 'p' }, noStdin),
    ).rejects.toThrow("--username 'a:b' contains ':'");
    await expect(credentialsFromFlags({ username: 'u' }, {}, noStdin)).rejects.toThrow(
      '--password-stdin or set $OCI_PASSWORD',
    );
    await expect(credentialsFromFlags({ password: 'p' }, {}, noStdin)).rejects.toThrow(
      'add --username',
    );
  });
});

describe('progress', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return {
      out,
      stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream,
    };
  };
  const digest = `sha256:${'a'.repeat(64)}`;
  const mib = 1024 * 1024;

  it('prints a line per quarter in logs and nothing for small blobs', () => {
    const { out, stream: s } = stream(false);
    const report = progressReporter({ stream: s });
    report({ direction: 'upload', digest, bytes: 100, total: 1000 });
    for (let bytes = 0; bytes <= 8 * mib; bytes += mib / 2)
      report({ direction: 'upload', digest, bytes, total: 8 * mib });
    expect(out).toEqual([
      `◎ uploading sha256:aaaaaaaaaaaa 0.0 / 8.0 MiB (0%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 2.0 / 8.0 MiB (25%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 4.0 / 8.0 MiB (50%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 6.0 / 8.0 MiB (75%)\n`,
      `◎ uploading sha256:aaaaaaaaaaaa 8.0 / 8.0 MiB (100%)\n`,
    ]);
  });

  it('redraws one line on a terminal and ends it when done', () => {
    const { out, stream: s } = stream(true);
    const report = progressReporter({ stream: s });
    report({ direction: 'download', digest, bytes: mib, total: 2 * mib });
    report({ direction: 'download', digest, bytes: mib + 1, total: 2 * mib });
    report({ direction: 'download', digest, bytes: 2 * mib, total: 2 * mib });
    expect(out).toEqual([
      `\r\x1b[2K◎ downloading sha256:aaaaaaaaaaaa 1.0 / 2.0 MiB (50%)`,
      `\r\x1b[2K◎ downloading sha256:aaaaaaaaaaaa 2.0 / 2.0 MiB (100%)\n`,
    ]);
  });
});

describe('CLI helpers', () => {
  it('parses Go durations and refuses others', () => {
    expect(parseGoDuration('5m0s', '--timeout')).toBe(300_000);
    expect(parseGoDuration('1h30m', '--timeout')).toBe(5_400_000);
    expect(parseGoDuration('1.5s', '--timeout')).toBe(1500);
    expect(() => parseGoDuration('5 minutes', '--timeout')).toThrow(
      "invalid --timeout '5 minutes'",
    );
    expect(() => parseGoDuration('10', '--timeout')).toThrow();
  });
  it('prints tables as Flux: upper-case header, padded cells each followed by a tab, the header last by a space', () => {
    expect(formatTable(['a', 'bb'], [['xyz', '1']])).toBe('A  \tBB \nxyz\t1 \t\n');
  });

  it('escapes C0, DEL, C1, line separators and bidi overrides; leaves other text alone', () => {
    expect(escapeControl('a\x9b31mb\x7f\u202ec\u2028d\x00\r')).toBe(
      'a\\x9b31mb\\x7f\\u202ec\\u2028d\\x00\\r',
    );
    expect(escapeControl('ünïcode ✔ ⚠️ "quoted" \\n')).toBe('ünïcode ✔ ⚠️ "quoted" \\n');
  });

  it('escapes control characters in table cells, padding by what is shown', () => {
    expect(formatTable(['a', 'b'], [['x\ty', '\x1b[2J\n']])).toBe(
      'A   \tB         \nx\\ty\t\\x1b[2J\\n\t\n',
    );
  });
});
