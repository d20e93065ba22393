import { runCli } from '../support/cli.js';

// Arguments are checked before the cluster is asked anything: no kubeconfig is needed.
describe('flux-oci trace, arguments', () => {
  test.each([
    [
      ['podinfo'],
      "✗ trace takes <kind>/<name> or <kind> <name>, got 'podinfo': e.g. flux-oci trace deployment/podinfo -n apps\n",
    ],
    [
      ['deploy/'],
      "✗ trace takes <kind>/<name> or <kind> <name>, got 'deploy/': e.g. flux-oci trace deployment/podinfo -n apps\n",
    ],
    [
      ['a/b/c'],
      "✗ trace takes <kind>/<name> or <kind> <name>, got 'a/b/c': e.g. flux-oci trace deployment/podinfo -n apps\n",
    ],
    [
      ['deploy/podinfo', 'other'],
      "✗ trace takes <kind>/<name> or <kind> <name>, got 'deploy/podinfo other': e.g. flux-oci trace deployment/podinfo -n apps\n",
    ],
    [
      ['deploy/podinfo', '--kind=Deployment'],
      "✗ --kind Deployment takes the object's name alone, got 'deploy/podinfo': e.g. flux-oci trace podinfo --kind=Deployment\n",
    ],
    [['deploy/podinfo', '-o', 'table'], "✗ invalid --output 'table': use json or yaml\n"],
  ])('%j: one line, exit 1', async (args, line) => {
    const result = await runCli(['trace', ...args, '--kubeconfig=/nonexistent/kubeconfig']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: line });
  });

  test('a kubeconfig that does not exist is named', async () => {
    const result = await runCli(['trace', 'deploy/podinfo', '--kubeconfig=/nonexistent/kc']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: '✗ kubeconfig /nonexistent/kc does not exist: pass the path of an existing file\n',
    });
  });

  test('more than two arguments is a usage error, as with every command', async () => {
    const result = await runCli(['trace', 'deploy', 'podinfo', 'extra']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/too many arguments/);
  });
});
