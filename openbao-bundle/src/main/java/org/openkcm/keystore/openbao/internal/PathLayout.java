package org.openkcm.keystore.openbao.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Owner;

/**
 * Where records and index entries live, relative to the KV v2 mount (see docs/openbao.md):
 *
 * <pre>
 *   {prefix}/keys/{id},{version:10 digits}                      the record (sealed bytes + metadata)
 *   {prefix}/ix/owner/{ownerType}/{ownerId}/{id},{version}       owner index entry (a pointer)
 *   {prefix}/ix/tier/{tier}/{id},{version}                       tier index entry (a pointer)
 * </pre>
 *
 * The entry name {@code id,0000000007} sorts like {@link KeyRef}: ',' is below every character an
 * id may hold, and the zero-padded version sorts numerically, so OpenBao's sorted LIST (with {@code
 * after} and {@code limit}) walks records in ascending (id, version) order.
 */
final class PathLayout {
  static final char SEPARATOR = ',';
  private static final Pattern ENTRY =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,127}),(\\d{10})");

  final String mount;
  final String prefix;

  PathLayout(String mount, String prefix) {
    this.mount = BaoSettings.checkPath("mount", mount);
    this.prefix = BaoSettings.checkPath("prefix", prefix);
  }

  /**
   * @return the record's path below the mount.
   */
  String record(KeyRef ref) throws InvalidKeyRequestException {
    return keysFolder() + "/" + entryName(ref);
  }

  String ownerIndex(Owner owner, KeyRef ref) throws InvalidKeyRequestException {
    return ownerFolder(owner) + "/" + entryName(ref);
  }

  String tierIndex(KeyTier tier, KeyRef ref) throws InvalidKeyRequestException {
    return tierFolder(tier) + "/" + entryName(ref);
  }

  String keysFolder() {
    return prefix + "/keys";
  }

  String ownerFolder(Owner owner) throws InvalidKeyRequestException {
    return prefix
        + "/ix/owner/"
        + owner.type().name().toLowerCase(Locale.ROOT)
        + "/"
        + segment("owner.id", owner.id());
  }

  String tierFolder(KeyTier tier) {
    return prefix + "/ix/tier/" + tier.name();
  }

  /**
   * @return the raw API path of the KV v2 data endpoint (read, write).
   */
  String dataApi(String belowMount) {
    return mount + "/data/" + belowMount;
  }

  /**
   * @return the raw API path of the KV v2 metadata endpoint (custom_metadata, LIST).
   */
  String metadataApi(String belowMount) {
    return mount + "/metadata/" + belowMount;
  }

  /**
   * @return {@code id,0000000007}, after checking the id once more right before it becomes a path,
   *     so no request is ever made for an id that could leave the prefix
   */
  static String entryName(KeyRef ref) throws InvalidKeyRequestException {
    return segment("keyId", ref.id()) + SEPARATOR + tenDigits(ref.version());
  }

  private static final String ZEROS = "0000000000";

  /** {@code version} zero-padded to ten digits (every int version fits). */
  private static String tenDigits(int version) {
    String v = Integer.toString(version);
    return ZEROS.substring(v.length()) + v;
  }

  /**
   * @return the ref an entry name stands for, or {@code null} for a name that is not ours.
   */
  static KeyRef parseEntry(String name) {
    var m = ENTRY.matcher(name);
    if (!m.matches()) {
      return null;
    }
    try {
      long v = Long.parseLong(m.group(2));
      return v < 1 || v > Integer.MAX_VALUE ? null : KeyRef.of(m.group(1), (int) v);
    } catch (InvalidKeyRequestException e) {
      return null;
    }
  }

  /**
   * Defensive re-check of an id about to become a path segment (KeyRef.of and Owner.of already
   * checked), then URL-encoded. The check is what keeps an id in place: a server or proxy may
   * decode %2F back to '/', so encoding alone would not. For the ids that pass, encoding changes
   * nothing.
   */
  static String segment(String field, String id) throws InvalidKeyRequestException {
    if (!Limits.isValidId(id)) {
      throw new InvalidKeyRequestException(
          field, "'" + Limits.printable(id) + "' cannot be used in an OpenBao path");
    }
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
