// The CDKTF jest matchers (added by Testing.setupJest() in test/setup.ts). cdktf declares
// them on `jest.Matchers<R>`, which no longer merges with @types/jest 30's
// `Matchers<R, T>`; this declares them on the current shape.
import type { TerraformConstructor } from 'cdktf/lib/testing/matchers';

declare global {
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- must match @types/jest's parameters
    interface Matchers<R, T> {
      toHaveResource(resourceConstructor: TerraformConstructor): R;
      toHaveResourceWithProperties(
        resourceConstructor: TerraformConstructor,
        properties: Record<string, unknown>,
      ): R;
      toHaveDataSource(dataSourceConstructor: TerraformConstructor): R;
      toHaveProvider(providerConstructor: TerraformConstructor): R;
      toBeValidTerraform(): R;
      toPlanSuccessfully(): R;
    }
  }
}
