import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { KubeConfig } from '@kubernetes/client-node';
import { App, TerraformStack, Testing } from 'cdktf';

describe('toolchain', () => {
  test('ESM dependencies load', () => {
    expect(new KubeConfig()).toBeDefined();
    const repo = new OCIRepository({
      metadata: { name: 'a', namespace: 'b' },
      spec: { interval: '1m', url: 'oci://x/y' },
    });
    expect(() => repo.validate()).not.toThrow();
    const app = Testing.app();
    const stack = new TerraformStack(app as App, 's');
    expect(Testing.synth(stack)).toBeDefined();
  });
});
