package org.openkcm.keystore.core.internal.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * {@link FieldCatalog} from the MetaType service: looks through the installed bundles for the one
 * that describes a PID. A separate component so the bridge works without MetaType (its import is
 * optional).
 */
@Component(service = FieldCatalog.class)
public final class MetatypeFieldCatalog implements FieldCatalog {
  private final MetaTypeService metaType;
  private final BundleContext context;

  @Activate
  public MetatypeFieldCatalog(@Reference MetaTypeService metaType, BundleContext context) {
    this.metaType = metaType;
    this.context = context;
  }

  @Override
  public Optional<Set<String>> fields(String pid) {
    return types(pid).map(Map::keySet);
  }

  @Override
  public Optional<Map<String, FieldType>> types(String pid) {
    for (Bundle b : context.getBundles()) {
      MetaTypeInformation info = metaType.getMetaTypeInformation(b);
      if (info == null || !contains(info.getPids(), pid)) {
        continue;
      }
      ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
      AttributeDefinition[] ads =
          ocd == null ? null : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
      if (ads != null) {
        Map<String, FieldType> types = new LinkedHashMap<>();
        for (AttributeDefinition a : ads) {
          types.put(a.getID(), field(a).fieldType());
        }
        return Optional.of(types);
      }
    }
    return Optional.empty();
  }

  /** The same rule as for the core's own metatype files. */
  private static MetatypeFields.Field field(AttributeDefinition a) {
    String[] d = a.getDefaultValue();
    return new MetatypeFields.Field(
        a.getID(),
        typeName(a.getType()),
        a.getCardinality() != 0,
        d == null || d.length == 0 || d[0] == null ? "" : d[0],
        a.getName(),
        a.getDescription() == null ? "" : a.getDescription());
  }

  private static String typeName(int type) {
    return switch (type) {
      case AttributeDefinition.INTEGER -> "Integer";
      case AttributeDefinition.LONG -> "Long";
      case AttributeDefinition.SHORT -> "Short";
      case AttributeDefinition.BYTE -> "Byte";
      case AttributeDefinition.BOOLEAN -> "Boolean";
      case AttributeDefinition.PASSWORD -> "Password";
      default -> "String";
    };
  }

  private static boolean contains(String[] pids, String pid) {
    if (pids != null) {
      for (String p : pids) {
        if (p.equals(pid)) {
          return true;
        }
      }
    }
    return false;
  }
}
