package org.openkcm.keystore.core.internal.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads config.yaml into plain maps, lists and scalars. SafeConstructor only (no arbitrary types),
 * with limits against alias bombs, deep nesting, duplicate keys and huge files. A syntax error is
 * reported by line and column and the parser's problem only: the parser's snippet of the offending
 * line is left out, because that line may hold a token.
 */
final class YamlConfigReader {
  static final int MAX_BYTES = 1024 * 1024;

  private YamlConfigReader() {}

  /**
   * @return the top-level mapping (empty for an empty file)
   */
  static Map<String, Object> read(String text) throws InvalidConfigurationException {
    if (text.length() > MAX_BYTES) {
      throw new InvalidConfigurationException(
          "config.yaml", "is larger than " + MAX_BYTES + " characters");
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(16);
    options.setCodePointLimit(MAX_BYTES);
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(options)).load(text);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark();
      String where =
          m == null ? "" : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
      throw new InvalidConfigurationException(
          "config.yaml", "is not valid YAML" + where + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new InvalidConfigurationException(
          "config.yaml", "is not valid YAML (" + e.getClass().getSimpleName() + ")");
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new InvalidConfigurationException(
          "config.yaml", "must be a mapping of sections (routing, backends, ...)");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new InvalidConfigurationException("config.yaml", "section names must be strings");
      }
      out.put(key, e.getValue());
    }
    return out;
  }
}
