package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * The record as one KV v2 secret: the sealed bytes (base64) and every metadata field, written
 * together in one request. Also builds the custom_metadata mirror operators see with {@code bao kv
 * metadata get} (never the sealed bytes), within OpenBao's limits.
 */
final class RecordCodec {
  static final String FORMAT = "openkcm.sealed-record.v1";

  /** OpenBao custom_metadata limits. */
  static final int MAX_CUSTOM_PAIRS = 64;

  static final int MAX_CUSTOM_KEY_BYTES = 128;
  static final int MAX_CUSTOM_VALUE_BYTES = 512;

  private RecordCodec() {}

  static JsonObject encode(KeyMetadata m, byte[] sealed) {
    return encode(m, Base64.getEncoder().encodeToString(sealed));
  }

  /**
   * @param sealedBase64 the sealed bytes as stored, carried over unchanged by a metadata update
   */
  static JsonObject encode(KeyMetadata m, String sealedBase64) {
    JsonObject d = new JsonObject();
    d.addProperty("format", FORMAT);
    d.addProperty("key_id", m.id());
    d.addProperty("key_version", m.version());
    d.addProperty("tier", m.tier().name());
    d.addProperty("owner", m.owner().toString());
    d.addProperty("algorithm", m.algorithm());
    d.addProperty("key_size", m.keySize());
    d.addProperty("status", m.status().name());
    d.addProperty("created_at", m.createdAt().toString());
    d.addProperty("updated_at", m.updatedAt().toString());
    m.expiresAt().ifPresent(e -> d.addProperty("expires_at", e.toString()));
    m.parent().ifPresent(p -> d.addProperty("parent", p.toString()));
    JsonObject tags = new JsonObject();
    m.tags().forEach(tags::addProperty);
    d.add("tags", tags);
    d.addProperty("sealed", sealedBase64);
    return d;
  }

  /**
   * @return the metadata of a stored record; the sealed bytes are not decoded.
   */
  static KeyMetadata metadata(KvEntry e, KeyRef expected, String backend) throws KeystoreException {
    try {
      if (!FORMAT.equals(e.string("format"))) {
        throw new IllegalArgumentException("format");
      }
      KeyMetadata.Builder b =
          KeyMetadata.builder()
              .ref(KeyRef.of(e.string("key_id"), Integer.parseInt(e.string("key_version"))))
              .tier(KeyTier.parse("tier", e.string("tier")))
              .owner(Owner.parse(e.string("owner")))
              .algorithm(e.string("algorithm"))
              .keySize(Integer.parseInt(e.string("key_size")))
              .status(KeyStatus.parse("status", e.string("status")))
              .createdAt(Timestamps.parse(e.string("created_at")))
              .updatedAt(Timestamps.parse(e.string("updated_at")))
              .expiresAt(
                  e.string("expires_at") == null ? null : Timestamps.parse(e.string("expires_at")))
              .parent(e.string("parent") == null ? null : KeyRef.parse(e.string("parent")))
              .tags(tags(e.data.get("tags")));
      KeyMetadata m = b.build();
      if (!m.ref().equals(expected)) {
        // a record copied or moved to another path by hand: its identity no longer matches where it
        // is
        throw new IntegrityException(
            expected, backend, "record at " + expected + " names " + m.ref());
      }
      return m;
    } catch (KeystoreException | RuntimeException ex) {
      if (ex instanceof IntegrityException) {
        throw (IntegrityException) ex;
      }
      throw new IntegrityException(
          expected, backend, "stored record " + expected + " is not a valid OpenKCM record");
    }
  }

  static KeyRecord record(KvEntry e, KeyRef expected, String backend) throws KeystoreException {
    KeyMetadata m = metadata(e, expected, backend);
    byte[] sealed;
    try {
      sealed = Base64.getDecoder().decode(e.string("sealed").getBytes(StandardCharsets.US_ASCII));
    } catch (RuntimeException ex) {
      throw new IntegrityException(
          expected, backend, "stored record " + expected + " has no readable sealed bytes");
    }
    try {
      return new KeyRecord(m, sealed, e.version, e.createdTime);
    } finally {
      java.util.Arrays.fill(sealed, (byte) 0);
    }
  }

  /**
   * @return the searchable fields for custom_metadata: identity, status, dates, tags; never the
   *     sealed bytes.
   */
  static Map<String, String> mirror(KeyMetadata m) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("openkcm.key", m.ref().toString());
    c.put("owner", m.owner().toString());
    c.put("tier", m.tier().name());
    c.put("status", m.status().name());
    c.put("algorithm", m.algorithm() + "-" + m.keySize());
    c.put("created_at", m.createdAt().toString());
    c.put("updated_at", m.updatedAt().toString());
    m.expiresAt().ifPresent(x -> c.put("expires_at", x.toString()));
    m.parent().ifPresent(p -> c.put("parent", p.toString()));
    m.tags().forEach((k, v) -> c.put("tag." + k, v));
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : c.entrySet()) {
      if (out.size() < MAX_CUSTOM_PAIRS
          && !e.getValue().isEmpty()
          && e.getKey().getBytes(StandardCharsets.UTF_8).length <= MAX_CUSTOM_KEY_BYTES
          && e.getValue().getBytes(StandardCharsets.UTF_8).length <= MAX_CUSTOM_VALUE_BYTES) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static Map<String, String> tags(JsonElement v) {
    Map<String, String> out = new TreeMap<>();
    if (v != null && v.isJsonObject()) {
      for (Map.Entry<String, JsonElement> member : v.getAsJsonObject().entrySet()) {
        JsonElement value = member.getValue();
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
          throw new IllegalArgumentException("tag " + member.getKey());
        }
        out.put(member.getKey(), value.getAsString());
      }
    }
    return out;
  }
}
