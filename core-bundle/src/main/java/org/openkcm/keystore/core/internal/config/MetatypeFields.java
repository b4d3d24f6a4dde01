package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The fields of one component as its metatype declares them: the generated {@code
 * OSGI-INF/metatype/<annotation>.xml} a bundle carries for its {@code @ObjectClassDefinition}. The
 * one source of a section's field names, types and defaults; config.yaml and environment names are
 * derived from it by {@link Field#yamlName()} and {@link Field#envName(String)}.
 */
final class MetatypeFields {
  /** A String field whose default looks like this is a duration. */
  private static final Pattern DURATION_DEFAULT = Pattern.compile("\\d{1,9}(ms|s|m|h|d)");

  /**
   * One attribute definition.
   *
   * @param id the ConfigAdmin property (DS names {@code l2_maxEntries()} {@code l2.maxEntries})
   * @param type the metatype type: String, Integer, Long, Boolean, Password...
   * @param multiple whether the cardinality allows several values
   * @param defaultValue the declared default, {@code ""} when none
   * @param name the human name
   * @param description the description, {@code ""} when none
   */
  record Field(
      String id,
      String type,
      boolean multiple,
      String defaultValue,
      String name,
      String description) {

    /**
     * The rule from metatype type to configuration type: Integer/Long/Short are whole numbers,
     * Boolean is true/false, Password is a secret, a String whose default is written {@code 5s},
     * {@code 250ms}, {@code 30m}... is a duration, several values are a list, anything else a
     * string.
     */
    FieldType fieldType() {
      return switch (type) {
        case "Integer", "Long", "Short", "Byte" -> FieldType.INT;
        case "Boolean" -> FieldType.BOOLEAN;
        case "Password" -> FieldType.SECRET;
        default ->
            multiple
                ? FieldType.LIST
                : DURATION_DEFAULT.matcher(defaultValue).matches()
                    ? FieldType.DURATION
                    : FieldType.STRING;
      };
    }

    /** The config.yaml name: the property id, its dots being nesting ({@code l2: {ttl: 1h}}). */
    String yamlName() {
      return id;
    }

    /**
     * The environment variable: {@code OPENKCM_KEYSTORE_}, the section path and the field in upper
     * snake case, dots and camel humps becoming {@code _}: {@code cache} + {@code l2.maxEntries} is
     * {@code OPENKCM_KEYSTORE_CACHE_L2_MAX_ENTRIES}.
     */
    String envName(String sectionPath) {
      return EnvironmentOverrides.PREFIX
          + EnvironmentOverrides.upperSnake(sectionPath).replace('.', '_')
          + "_"
          + EnvironmentOverrides.upperSnake(id).replace('.', '_');
    }
  }

  /**
   * The metatype of a component the core itself carries.
   *
   * @param pid the PID it designates
   * @param fields in declaration order
   */
  record Component(String pid, List<Field> fields) {}

  private MetatypeFields() {}

  /**
   * @param annotation the {@code @ObjectClassDefinition} annotation (bnd names the file after it)
   * @throws IllegalStateException if the bundle carries no such metatype (a build error)
   */
  static Component of(Class<?> annotation) {
    String resource = "OSGI-INF/metatype/" + annotation.getName() + ".xml";
    URL url = annotation.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IllegalStateException("no metatype " + resource + " in the bundle");
    }
    try (InputStream in = url.openStream()) {
      return parse(in);
    } catch (IOException | SAXException | ParserConfigurationException e) {
      throw new IllegalStateException("unreadable metatype " + resource, e);
    }
  }

  static Component parse(InputStream in)
      throws IOException, SAXException, ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setExpandEntityReferences(false);
    DocumentBuilder b = f.newDocumentBuilder();
    Document d = b.parse(in);
    NodeList ads = d.getElementsByTagName("AD");
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < ads.getLength(); i++) {
      Element ad = (Element) ads.item(i);
      String cardinality = ad.getAttribute("cardinality");
      fields.add(
          new Field(
              ad.getAttribute("id"),
              ad.getAttribute("type").isEmpty() ? "String" : ad.getAttribute("type"),
              !cardinality.isEmpty() && !cardinality.equals("0"),
              ad.getAttribute("default"),
              ad.getAttribute("name"),
              ad.getAttribute("description")));
    }
    NodeList designates = d.getElementsByTagName("Designate");
    String pid =
        designates.getLength() == 0 ? "" : ((Element) designates.item(0)).getAttribute("pid");
    return new Component(pid, List.copyOf(fields));
  }
}
