// Adds the CDKTF matchers (toHaveResource, toBeValidTerraform, ...) to every test file.
import { Testing } from 'cdktf';
Testing.setupJest();
