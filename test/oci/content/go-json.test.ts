import { createHash } from 'node:crypto';
import { goJsonString, goJsonStringMap } from '../../../src/oci/content/go-json.js';
import { manifestBlob } from '../../../src/oci/content/manifest.js';

describe('Go encoding/json strings', () => {
  test.each([
    ['plain', '"plain"'],
    ['a&b<c>d', '"a\\u0026b\\u003cc\\u003ed"'],
    ['q"b\\s', '"q\\"b\\\\s"'],
    ['\n\r\t\b\f', '"\\n\\r\\t\\b\\f"'],
    ['\u0000\u001f\u007f', '"\\u0000\\u001f\u007f"'],
    ['é 日本 🚀', '"é 日本 🚀"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['lone \ud800', '"lone \\ufffd"'],
  ])('%p', (value, expected) => {
    expect(goJsonString(value)).toBe(expected);
  });

  test('map keys are sorted by bytes', () => {
    expect(goJsonStringMap({ b: '1', B: '2', é: '3', a: '4' })).toBe(
      '{"B":"2","a":"4","b":"1","é":"3"}',
    );
  });
});

describe('manifest blob', () => {
  const config = {
    mediaType: 'application/vnd.cncf.flux.config.v1+json',
    size: 115,
    digest: 'sha256:c',
  };
  const layer = {
    mediaType: 'application/vnd.cncf.flux.content.v1.tar+gzip',
    size: 10,
    digest: 'sha256:l',
  };

  test('field order, compact, no trailing newline, digest of the bytes', () => {
    const blob = manifestBlob(config, [layer], { z: '1', a: '<&>' });
    const text = Buffer.from(blob.bytes).toString();
    expect(text).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
        '"config":{"mediaType":"application/vnd.cncf.flux.config.v1+json","size":115,"digest":"sha256:c"},' +
        '"layers":[{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","size":10,"digest":"sha256:l"}],' +
        '"annotations":{"a":"\\u003c\\u0026\\u003e","z":"1"}}',
    );
    expect(blob.descriptor).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: blob.bytes.length,
      digest: `sha256:${createHash('sha256').update(blob.bytes).digest('hex')}`,
    });
  });

  test('annotations are omitted when empty, as Go omitempty does', () => {
    expect(Buffer.from(manifestBlob(config, [layer], {}).bytes).toString()).not.toContain(
      'annotations',
    );
  });
});
