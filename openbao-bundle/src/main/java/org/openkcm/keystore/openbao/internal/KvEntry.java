package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonObject;

/** One KV v2 read: the secret's data fields and its KV version (our record revision). */
final class KvEntry {
  final JsonObject data;
  final long version;

  KvEntry(JsonObject data, long version) {
    this.data = data;
    this.version = version;
  }

  String string(String field) {
    return BaoJson.string(data, field, null);
  }
}
