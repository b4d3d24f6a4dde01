package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonObject;
import java.time.Instant;

/**
 * One KV v2 read: the secret's data fields, its KV version (our record revision) and the version's
 * {@code created_time} (server-assigned; {@code null} if absent).
 */
final class KvEntry {
  final JsonObject data;
  final long version;
  final Instant createdTime;

  KvEntry(JsonObject data, long version, Instant createdTime) {
    this.data = data;
    this.version = version;
    this.createdTime = createdTime;
  }

  String string(String field) {
    return BaoJson.string(data, field, null);
  }
}
