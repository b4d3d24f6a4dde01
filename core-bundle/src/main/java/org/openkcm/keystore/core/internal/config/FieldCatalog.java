package org.openkcm.keystore.core.internal.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fields a PID's owning bundle declares in its metatype, so config.yaml sections owned by other
 * bundles (a backend, the cache, the root key) can reject unknown fields too. Internal service.
 */
public interface FieldCatalog {

  /**
   * @return the attribute ids of the PID's ObjectClassDefinition, empty when no installed bundle
   *     describes it
   */
  Optional<Set<String>> fields(String pid);

  /**
   * @return the attribute ids of the PID's ObjectClassDefinition with the configuration type the
   *     metatype gives them ({@link MetatypeFields.Field#fieldType()}), empty when no installed
   *     bundle describes it. Without types, a catalog's fields pass with their yaml types.
   */
  default Optional<Map<String, FieldType>> types(String pid) {
    return fields(pid)
        .map(
            ids -> {
              Map<String, FieldType> m = new LinkedHashMap<>();
              ids.forEach(id -> m.put(id, null));
              return m;
            });
  }

  /**
   * A catalog that knows nothing (no MetaType service): those sections are checked by the bridge's
   * own schema only.
   */
  FieldCatalog NONE = pid -> Optional.empty();
}
