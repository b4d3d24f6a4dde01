package org.openkcm.keystore.openbao.internal;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * JSON of OpenBao's API through Gson's tree model, parsed strictly (no comments, no unquoted names,
 * one document): what a server or a writer to the backend sends is data, never leniently guessed
 * at.
 */
final class BaoJson {
  private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);

  private BaoJson() {}

  /**
   * @return the body as a JSON object; {@link IllegalArgumentException} if it is not exactly one
   */
  static JsonObject object(byte[] body) {
    try (JsonReader r =
        new JsonReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
      r.setStrictness(Strictness.STRICT);
      JsonElement e = TREE.read(r);
      if (r.peek() != JsonToken.END_DOCUMENT || e == null || !e.isJsonObject()) {
        throw new IllegalArgumentException("not one JSON object");
      }
      return e.getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not valid JSON", null);
    }
  }

  /** What a KV v2 read answer gives a read: {@code data.data}, and two fields of its metadata. */
  record KvRead(JsonObject data, JsonElement version, JsonElement createdTime) {}

  /**
   * Reads a KV v2 read answer as {@code child(child(object(body), "data"), ...)} would, building a
   * tree only of {@code data.data} (the record) and of the version's {@code version} and {@code
   * created_time}: everything else (the custom_metadata mirror, the lease and wrap fields) is only
   * read past, with the same strict syntax check. Of a name given twice the last counts, as in the
   * tree.
   *
   * @throws IllegalArgumentException if the body is not exactly one JSON object or has no object
   *     {@code data} with objects {@code data} and {@code metadata}
   */
  static KvRead kvRead(byte[] body) {
    try (JsonReader r =
        new JsonReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
      r.setStrictness(Strictness.STRICT);
      KvRead read = null;
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals("data")) {
          read = kvData(r);
        } else {
          r.skipValue();
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT || read == null) {
        throw new IllegalArgumentException("not a KV read answer");
      }
      return read;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not valid JSON", null);
    }
  }

  private static KvRead kvData(JsonReader r) throws IOException {
    JsonObject data = null;
    boolean metadata = false;
    JsonElement version = null;
    JsonElement created = null;
    r.beginObject(); // throws unless an object, as child() does
    while (r.hasNext()) {
      String name = r.nextName();
      if (name.equals("data")) {
        data = TREE.read(r).getAsJsonObject(); // throws unless an object
      } else if (name.equals("metadata")) {
        metadata = true;
        version = null;
        created = null;
        r.beginObject();
        while (r.hasNext()) {
          String field = r.nextName();
          if (field.equals("version")) {
            version = TREE.read(r);
          } else if (field.equals("created_time")) {
            created = TREE.read(r);
          } else {
            r.skipValue();
          }
        }
        r.endObject();
      } else {
        r.skipValue();
      }
    }
    r.endObject();
    if (data == null || !metadata) {
      throw new IllegalArgumentException("no object data or metadata");
    }
    return new KvRead(data, version, created);
  }

  /**
   * @return the member as an object, {@link IllegalArgumentException} when absent or not an object
   */
  static JsonObject child(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException("no object " + name);
    }
    return e.getAsJsonObject();
  }

  /**
   * @return the member as a string (numbers and booleans as written), or {@code fallback} if absent
   *     or null
   */
  static String string(JsonObject o, String name, String fallback) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return fallback;
    }
    return e.isJsonPrimitive() ? e.getAsString() : e.toString();
  }

  /**
   * @return the member as a long, or {@code fallback} if absent or null
   */
  static long number(JsonObject o, String name, long fallback) {
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? fallback : e.getAsLong();
  }

  static byte[] bytes(JsonElement e) {
    return e.toString().getBytes(StandardCharsets.UTF_8);
  }
}
