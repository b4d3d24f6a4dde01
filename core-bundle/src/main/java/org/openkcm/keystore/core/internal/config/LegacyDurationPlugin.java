package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The earlier duration names ({@link LegacyDurations}) for configurations that reach ConfigAdmin
 * without the config.yaml bridge: a Karaf {@code etc/*.cfg} file or a Web Console edit. On every
 * delivery of a keystore PID whose metatype the {@link FieldCatalog} knows, a whole number in
 * {@code <name>Seconds} / {@code <name>Millis} is handed to the component as the duration field
 * {@code <name>}, with one WARN per PID and field naming the new field. The stored configuration is
 * left as written.
 */
@Component(
    service = ConfigurationPlugin.class,
    immediate = true,
    property = ConfigurationPlugin.CM_RANKING + ":Integer=" + LegacyDurationPlugin.RANKING)
public final class LegacyDurationPlugin implements ConfigurationPlugin {
  /** Late among the plugins that modify (0..1000), so values other plugins resolve are seen. */
  static final int RANKING = 900;

  private static final Logger LOG = LoggerFactory.getLogger(LegacyDurationPlugin.class);
  private static final String KEYSTORE_PIDS = "org.openkcm.keystore.";

  /** What was done with one old field. */
  enum Outcome {
    /** handed over as the duration field */
    RENAMED,
    /** the new field is set too and wins */
    SUPERSEDED,
    /** not a whole number: left as it is, the duration field is not set by it */
    NOT_A_NUMBER
  }

  /**
   * @param oldField the property as written, e.g. {@code l2.ttlSeconds}
   * @param field the duration field, e.g. {@code l2.ttl}
   * @param duration the value given to it ({@code 300s}), or what the old name takes
   */
  record Note(Outcome outcome, String oldField, String field, String duration) {}

  private final FieldCatalog catalog;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  @Activate
  public LegacyDurationPlugin(@Reference FieldCatalog catalog, @Reference ConfigurationAdmin cm) {
    this.catalog = catalog;
    redeliver(cm);
  }

  @Override
  public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> props) {
    String pid = pidOf(props);
    if (pid == null) {
      return;
    }
    for (Note n : rewrite(pid, props)) {
      warn(pid, n);
    }
  }

  /**
   * The rule for one configuration: every old field whose new one is absent is replaced by it (the
   * old one removed); an old field next to its new one is dropped.
   *
   * @param known the PID's fields and their types, as its metatype declares them
   * @return what was done, one note per old field
   */
  static List<Note> rewrite(Map<String, FieldType> known, Dictionary<String, Object> props) {
    List<Note> notes = new ArrayList<>();
    for (String key : Collections.list(props.keys())) {
      if (!LegacyDurations.looksOld(key)) {
        continue;
      }
      Optional<LegacyDurations.OldName> old = LegacyDurations.oldName(key, known);
      if (old.isEmpty()) {
        continue;
      }
      String field = old.get().field();
      Optional<String> duration = old.get().duration(props.get(key));
      if (props.get(field) != null) {
        props.remove(key);
        notes.add(new Note(Outcome.SUPERSEDED, key, field, duration.orElse("")));
      } else if (duration.isEmpty()) {
        notes.add(new Note(Outcome.NOT_A_NUMBER, key, field, old.get().takes()));
      } else {
        props.remove(key);
        props.put(field, duration.get());
        notes.add(new Note(Outcome.RENAMED, key, field, duration.get()));
      }
    }
    return notes;
  }

  private List<Note> rewrite(String pid, Dictionary<String, Object> props) {
    boolean any = false;
    for (String key : Collections.list(props.keys())) {
      any |= LegacyDurations.looksOld(key);
    }
    if (!any) {
      return List.of();
    }
    return catalog.types(pid).map(known -> rewrite(known, props)).orElse(List.of());
  }

  /**
   * Configurations delivered before this plugin was there (a .cfg read at start-up, before the
   * MetaType service) are delivered again, so their components get the rewritten values.
   */
  private void redeliver(ConfigurationAdmin cm) {
    Configuration[] configs;
    try {
      configs = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + KEYSTORE_PIDS + "*)");
    } catch (IOException | InvalidSyntaxException e) {
      LOG.warn("Configurations not checked for earlier duration names: {}", e.toString());
      return;
    }
    for (Configuration c : configs == null ? new Configuration[0] : configs) {
      Dictionary<String, Object> stored = c.getProperties();
      String pid = stored == null ? null : pidOf(stored);
      if (pid == null) {
        continue;
      }
      Dictionary<String, Object> copy = new Hashtable<>();
      Collections.list(stored.keys()).forEach(k -> copy.put(k, stored.get(k)));
      List<Note> notes = rewrite(pid, copy);
      notes.forEach(n -> warn(pid, n));
      if (notes.stream().anyMatch(n -> n.outcome() != Outcome.NOT_A_NUMBER)) {
        try {
          c.update(stored);
        } catch (IOException | IllegalStateException e) {
          LOG.warn("Configuration {} not delivered again: {}", c.getPid(), e.toString());
        }
      }
    }
  }

  /** The PID whose metatype describes the configuration, if it is one of the keystore's. */
  private static String pidOf(Dictionary<String, Object> props) {
    Object factory = props.get(ConfigurationAdmin.SERVICE_FACTORYPID);
    Object pid = factory != null ? factory : props.get(Constants.SERVICE_PID);
    return pid instanceof String p && p.startsWith(KEYSTORE_PIDS) ? p : null;
  }

  private void warn(String pid, Note n) {
    if (!warned.add(pid + '\u0000' + n.oldField() + '\u0000' + n.outcome())) {
      return;
    }
    switch (n.outcome()) {
      case RENAMED ->
          LOG.warn(
              "Configuration property {} of {} is deprecated and accepted for this release only:"
                  + " write {} = {}",
              n.oldField(),
              pid,
              n.field(),
              n.duration());
      case SUPERSEDED ->
          LOG.warn(
              "Configuration property {} of {} is deprecated and ignored: {} is set too and wins;"
                  + " remove {}",
              n.oldField(),
              pid,
              n.field(),
              n.oldField());
      case NOT_A_NUMBER ->
          LOG.warn(
              "Configuration property {} of {} is the deprecated name of {} and takes {}; its value"
                  + " is not one, so it is ignored and {} keeps the component's default: write {}"
                  + " as a duration (e.g. 30s, 250ms)",
              n.oldField(),
              pid,
              n.field(),
              n.duration(),
              n.field(),
              n.field());
    }
  }
}
