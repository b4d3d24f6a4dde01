package org.openkcm.keystore.core.internal.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * Records as sealed-record format 1 wrote them, kept as a test resource ({@code
 * legacy/format1-records.tsv}) so every later format keeps reading them. One line per record:
 * {@code record ref tier owner algorithm size status created updated expires parent tags sealed},
 * one per ciphertext: {@code ciphertext keyId plaintext ciphertext} (base64), and {@code masterkey
 * base64}.
 */
final class LegacyRecords {
  static final String RESOURCE = "/legacy/format1-records.tsv";

  final byte[] masterKey;
  final List<KeyRecord> records;
  final List<String[]> ciphertexts;

  private LegacyRecords(byte[] masterKey, List<KeyRecord> records, List<String[]> ciphertexts) {
    this.masterKey = masterKey;
    this.records = records;
    this.ciphertexts = ciphertexts;
  }

  static LegacyRecords load() throws IOException, KeystoreException {
    byte[] key = null;
    List<KeyRecord> records = new ArrayList<>();
    List<String[]> cts = new ArrayList<>();
    try (InputStream in = LegacyRecords.class.getResourceAsStream(RESOURCE)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split("\t", -1);
        switch (f[0]) {
          case "masterkey" -> key = Base64.getDecoder().decode(f[1]);
          case "ciphertext" -> cts.add(new String[] {f[1], f[2], f[3]});
          case "record" ->
              records.add(new KeyRecord(metadata(f), Base64.getDecoder().decode(f[12]), 1));
          default -> {}
        }
      }
    }
    return new LegacyRecords(key, records, cts);
  }

  private static KeyMetadata metadata(String[] f) throws KeystoreException {
    Map<String, String> tags = new TreeMap<>();
    if (!f[11].isEmpty()) {
      for (String kv : f[11].split(",")) {
        int eq = kv.indexOf('=');
        tags.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return KeyMetadata.builder()
        .ref(KeyRef.parse(f[1]))
        .tier(KeyTier.valueOf(f[2]))
        .owner(Owner.parse(f[3]))
        .algorithm(f[4])
        .keySize(Integer.parseInt(f[5]))
        .status(KeyStatus.valueOf(f[6]))
        .createdAt(Instant.parse(f[7]))
        .updatedAt(Instant.parse(f[8]))
        .expiresAt(f[9].isEmpty() ? null : Instant.parse(f[9]))
        .parent(f[10].isEmpty() ? null : KeyRef.parse(f[10]))
        .tags(tags)
        .build();
  }

  static String line(KeyRecord r) {
    KeyMetadata m = r.metadata();
    StringBuilder tags = new StringBuilder();
    m.tags()
        .forEach(
            (k, v) -> tags.append(tags.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return String.join(
        "\t",
        "record",
        m.ref().toString(),
        m.tier().name(),
        m.owner().toString(),
        m.algorithm(),
        Integer.toString(m.keySize()),
        m.status().name(),
        m.createdAt().toString(),
        m.updatedAt().toString(),
        m.expiresAt().map(Instant::toString).orElse(""),
        m.parent().map(KeyRef::toString).orElse(""),
        tags,
        Base64.getEncoder().encodeToString(r.sealed()));
  }

  static void write(Path file, byte[] masterKey, List<KeyRecord> records, List<String[]> cts)
      throws IOException {
    StringBuilder out =
        new StringBuilder("masterkey\t" + Base64.getEncoder().encodeToString(masterKey) + "\n");
    records.forEach(r -> out.append(line(r)).append('\n'));
    cts.forEach(c -> out.append(String.join("\t", "ciphertext", c[0], c[1], c[2])).append('\n'));
    Files.writeString(file, out.toString());
  }
}
