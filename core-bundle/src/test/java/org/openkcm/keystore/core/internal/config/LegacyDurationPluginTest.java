package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.config.LegacyDurationPlugin.Note;
import org.openkcm.keystore.core.internal.config.LegacyDurationPlugin.Outcome;

/** The rewrite a .cfg or console configuration gets on delivery, against the cache's metatype. */
class LegacyDurationPluginTest {
  private static final Map<String, FieldType> CACHE = types(CacheConfig.class);

  private static Map<String, FieldType> types(Class<?> annotation) {
    Map<String, FieldType> m = new LinkedHashMap<>();
    MetatypeFields.of(annotation).fields().forEach(f -> m.put(f.id(), f.fieldType()));
    return m;
  }

  private static Dictionary<String, Object> props(Map<String, Object> m) {
    return new Hashtable<>(m);
  }

  @Test
  void anOldWholeNumberBecomesTheDurationField() {
    Dictionary<String, Object> p =
        props(
            Map.of(
                "service.pid",
                CacheConfig.PID,
                "l2.ttlSeconds",
                "300",
                "revalidateAfterMillis",
                250,
                "l3.maxEntries",
                7));
    List<Note> notes = LegacyDurationPlugin.rewrite(CACHE, p);
    assertThat(p.get("l2.ttl")).isEqualTo("300s");
    assertThat(p.get("revalidateAfter")).isEqualTo("250ms");
    assertThat(p.get("l2.ttlSeconds")).isNull();
    assertThat(p.get("revalidateAfterMillis")).isNull();
    assertThat(p.get("l3.maxEntries")).isEqualTo(7);
    assertThat(notes)
        .containsExactlyInAnyOrder(
            new Note(Outcome.RENAMED, "l2.ttlSeconds", "l2.ttl", "300s"),
            new Note(Outcome.RENAMED, "revalidateAfterMillis", "revalidateAfter", "250ms"));
  }

  @Test
  void theNewNameWins() {
    Dictionary<String, Object> p = props(Map.of("l2.ttlSeconds", "300", "l2.ttl", "2m"));
    List<Note> notes = LegacyDurationPlugin.rewrite(CACHE, p);
    assertThat(p.get("l2.ttl")).isEqualTo("2m");
    assertThat(p.get("l2.ttlSeconds")).isNull();
    assertThat(notes).extracting(Note::outcome).containsExactly(Outcome.SUPERSEDED);
  }

  @Test
  void aValueThatIsNoWholeNumberIsLeftAndReported() {
    Dictionary<String, Object> p = props(Map.of("l2.ttlSeconds", "5m", "l3.idleSeconds", 2.5));
    List<Note> notes = LegacyDurationPlugin.rewrite(CACHE, p);
    assertThat(p.get("l2.ttl")).isNull();
    assertThat(p.get("l3.idle")).isNull();
    assertThat(p.get("l2.ttlSeconds")).isEqualTo("5m");
    assertThat(notes)
        .extracting(Note::outcome)
        .containsExactly(Outcome.NOT_A_NUMBER, Outcome.NOT_A_NUMBER);
    assertThat(notes).extracting(Note::duration).contains("a whole number of seconds");
  }

  @Test
  void namesThatAreNoEarlierDurationNameAreUntouched() {
    // no duration field behind it; a field the metatype declares itself; not a Seconds/Millis name
    Map<String, FieldType> known = new LinkedHashMap<>(CACHE);
    known.put("graceSeconds", FieldType.INT);
    known.put("grace", FieldType.DURATION);
    Dictionary<String, Object> p =
        props(Map.of("l2.maxEntriesSeconds", "3", "graceSeconds", 4, "l2.ttlMinutes", "5"));
    assertThat(LegacyDurationPlugin.rewrite(known, p)).isEmpty();
    assertThat(p.size()).isEqualTo(3);
    assertThat(p.get("grace")).isNull();
  }
}
