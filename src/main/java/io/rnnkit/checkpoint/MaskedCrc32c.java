package io.rnnkit.checkpoint;

import java.util.zip.CRC32C;

/**
 * CRC-32C with the masking that LevelDB tables and TensorFlow tensor bundles store. Masking rotates
 * the checksum right by 15 bits and adds a constant, so that a checksum of data that itself
 * contains checksums does not degenerate.
 */
final class MaskedCrc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private MaskedCrc32c() {}

  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  static int unmask(int maskedCrc) {
    int rotated = maskedCrc - MASK_DELTA;
    return (rotated >>> 17) | (rotated << 15);
  }

  static int value(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return (int) crc.getValue();
  }
}
