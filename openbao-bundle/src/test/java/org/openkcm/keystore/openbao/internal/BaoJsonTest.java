package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BaoJsonTest {
  private static final String ANSWER =
      "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
          + "\"data\":{\"data\":{\"sealed\":\"AAEC\",\"n\":[1,{\"x\":null}]},"
          + "\"metadata\":{\"created_time\":\"2026-12-02T10:25:01.123456789Z\","
          + "\"custom_metadata\":{\"owner\":\"tenant:a\",\"tags\":\"{\\\"k\\\":\\\"v\\\"}\"},"
          + "\"deletion_time\":\"\",\"destroyed\":false,\"version\":7}},"
          + "\"wrap_info\":null,\"warnings\":null,\"auth\":null}";

  @Test
  void aKvReadGivesWhatTheTreeGives() {
    BaoJson.KvRead read = BaoJson.kvRead(bytes(ANSWER));
    JsonObject tree = BaoJson.child(BaoJson.object(bytes(ANSWER)), "data");
    assertThat(read.data()).isEqualTo(BaoJson.child(tree, "data"));
    JsonObject meta = BaoJson.child(tree, "metadata");
    assertThat(read.version()).isEqualTo(meta.get("version"));
    assertThat(read.createdTime()).isEqualTo(meta.get("created_time"));
    // of a name given twice the last counts, as in the tree
    String twice = ANSWER.replace("\"version\":7}", "\"version\":7,\"version\":8}");
    assertThat(BaoJson.kvRead(bytes(twice)).version().getAsLong()).isEqualTo(8);
    String noMetaFields = "{\"data\":{\"data\":{},\"metadata\":{}}}";
    assertThat(BaoJson.kvRead(bytes(noMetaFields)).version()).isNull();
  }

  @Test
  void refusesWhatTheTreeRefuses() {
    for (String bad :
        new String[] {
          ANSWER.replace("\"wrap_info\":null", "\"wrap_info\":[1,}"), // bad syntax where skipped
          ANSWER.replace("\"renewable\":false", "renewable:false"), // lenient names
          ANSWER + " {}", // two documents
          ANSWER.replace("\"data\":{\"sealed\"", "\"dat\":{\"sealed\""), // no data.data
          "{\"data\":{\"data\":{}}}", // no metadata
          "{\"data\":{\"data\":null,\"metadata\":{}}}",
          "{\"data\":{\"data\":{},\"metadata\":3}}",
          "{\"data\":[]}",
          "[]",
          ""
        }) {
      assertThatThrownBy(() -> BaoJson.kvRead(bytes(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
