package org.openkcm.keystore.core.internal.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the local master key from the environment or a file, creating the file (owner-only) on
 * first start. Refuses, with a message naming the path and the problem but never the bytes: a file
 * that is not a regular file, not readable, of the wrong size, or open to group/others; an
 * environment value that is not base64 of 32 bytes.
 */
final class MasterKeyFile {
  static final String ENV = "OPENKCM_KEYSTORE_MASTER_KEY";
  private static final Logger LOG = LoggerFactory.getLogger(MasterKeyFile.class);
  private static final Set<PosixFilePermission> OPEN_TO_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private MasterKeyFile() {}

  /**
   * @return the master key from {@code envValue} (base64) when set, else from {@code file} (created
   *     if absent)
   */
  static byte[] load(String envValue, Path file) {
    byte[] k = loadExisting(envValue, file);
    if (k != null) {
      return k;
    }
    create(file);
    return fromFile(file);
  }

  /**
   * @return the master key from the environment or the file, or null if neither is there (nothing
   *     created)
   */
  static byte[] loadExisting(String envValue, Path file) {
    if (envValue != null && !envValue.isBlank()) {
      return fromEnvironment(envValue.trim());
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    return fromFile(file);
  }

  /** Creates the file with a new random key (owner-only), unless it exists. */
  static void createNew(Path file) {
    create(file);
  }

  /**
   * @return the file beside the key recording its public key id ({@code <file>.id}, hex)
   */
  static Path idFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".id");
  }

  /**
   * @return the key id recorded beside {@code file}, or null
   */
  static String recordedId(Path file) {
    Path id = idFile(file);
    try {
      return Files.isRegularFile(id) ? Files.readString(id).trim() : null;
    } catch (IOException e) {
      throw new IllegalStateException(
          "master key id file " + id + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Records the (public) key id beside the key file; a later missing or different key is then
   * refused by name.
   */
  static void recordId(Path file, String hex) {
    Path id = idFile(file);
    try {
      if (!hex.equals(recordedId(file))) {
        Files.writeString(id, hex + "\n");
      }
    } catch (IOException | IllegalStateException e) {
      LOG.warn(
          "master key id file {} cannot be written ({}); a lost key file is then recognised only by the backends' records",
          id,
          e.getClass().getSimpleName());
    }
  }

  private static byte[] fromEnvironment(String value) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          ENV + " is not valid base64 (expected base64 of 32 random bytes)");
    }
    if (key.length != AesGcm.KEY_BYTES) {
      int n = key.length;
      Arrays.fill(key, (byte) 0);
      throw new IllegalStateException(
          ENV + " decodes to " + n + " bytes; a master key is exactly 32 bytes (AES-256)");
    }
    LOG.info("Local root key: master key taken from the environment ({})", ENV);
    return key;
  }

  private static void create(Path file) {
    byte[] key = ThreadCrypto.randomBytes(AesGcm.KEY_BYTES);
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      // permissions set at creation: the key is never on disk with wider access, not even briefly
      try (SeekableByteChannel ch =
          Files.newByteChannel(
              file,
              EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ch.write(ByteBuffer.wrap(key));
      }
      LOG.warn(
          "Local root key: created a NEW master key at {} (rw-------). Back it up: without it no L2 key opens.",
          file);
    } catch (FileAlreadyExistsException e) {
      LOG.debug("master key file {} appeared concurrently; loading it", file);
    } catch (UnsupportedOperationException e) {
      throw new IllegalStateException(
          "cannot create master key file "
              + file
              + " with owner-only permissions on this file system; create it yourself or set "
              + ENV);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create master key file " + file + ": " + e.getClass().getSimpleName());
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] fromFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("master key file " + file + " is not a regular file");
    }
    checkPermissions(file);
    try {
      long size = Files.size(file);
      if (size != AesGcm.KEY_BYTES) {
        throw new IllegalStateException(
            "master key file "
                + file
                + " holds "
                + size
                + " bytes; a master key is exactly 32 bytes (AES-256)");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException(
          "master key file " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
  }

  private static void checkPermissions(Path file) {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      LOG.warn(
          "master key file {}: this file system has no POSIX permissions to check; protect it by other means",
          file);
      return;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = view.readAttributes().permissions();
    } catch (IOException e) {
      throw new IllegalStateException(
          "master key file " + file + " cannot be inspected: " + e.getClass().getSimpleName());
    }
    String mode = PosixFilePermissions.toString(perms);
    if (!perms.contains(PosixFilePermission.OWNER_READ)) {
      throw new IllegalStateException(
          "master key file " + file + " is not readable by its owner (mode " + mode + ")");
    }
    if (perms.stream().anyMatch(OPEN_TO_OTHERS::contains)) {
      throw new IllegalStateException(
          "master key file "
              + file
              + " is open to group or others (mode "
              + mode
              + "); refusing it. Run: chmod 600 "
              + file);
    }
  }
}
