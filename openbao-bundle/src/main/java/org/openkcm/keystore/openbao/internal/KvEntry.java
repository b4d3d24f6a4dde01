package org.openkcm.keystore.openbao.internal;

import io.github.jopenlibs.vault.json.JsonObject;

/** One KV v2 read: the secret's data fields and its KV version (our record revision). */
final class KvEntry {
    final JsonObject data;
    final long version;

    KvEntry(JsonObject data, long version) {
        this.data = data;
        this.version = version;
    }

    String string(String field) {
        var v = data.get(field);
        return v == null || v.isNull() ? null : v.isString() ? v.asString() : v.toString();
    }
}
