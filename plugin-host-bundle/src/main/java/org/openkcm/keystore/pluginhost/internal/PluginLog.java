package org.openkcm.keystore.pluginhost.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's output in our log: hclog JSON lines (stderr) at the level the plugin gave them,
 * other lines (stdout after the handshake, the GRPCStdio stream) as info. Records below the entry's
 * logLevel are dropped; every line is cut to printable characters of bounded length, under logger
 * {@code org.openkcm.keystore.plugin.<name>}.
 */
final class PluginLog {
  private static final int MAX = 2048;
  private final Logger log;
  private final int threshold;

  PluginLog(String name, String level) {
    this.log = LoggerFactory.getLogger("org.openkcm.keystore.plugin." + name);
    this.threshold = rank(level);
  }

  void line(String raw) {
    String text = raw.strip();
    if (text.isEmpty()) {
      return;
    }
    if (text.startsWith("{")) {
      try {
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        String level = o.has("@level") ? o.get("@level").getAsString() : "info";
        StringBuilder b =
            new StringBuilder(o.has("@message") ? o.get("@message").getAsString() : "");
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
          if (!e.getKey().startsWith("@")) {
            b.append(' ')
                .append(e.getKey())
                .append('=')
                .append(
                    e.getValue().isJsonPrimitive()
                        ? e.getValue().getAsString()
                        : e.getValue().toString());
          }
        }
        emit(rank(level), b.toString());
        return;
      } catch (JsonSyntaxException | IllegalStateException | UnsupportedOperationException e) {
        // not hclog JSON: logged as text below
      }
    }
    emit(rank("info"), text);
  }

  private void emit(int rank, String message) {
    if (rank < threshold) {
      return;
    }
    String m = RemoteErrors.printable(message.length() > MAX ? message.substring(0, MAX) : message);
    switch (rank) {
      case 0 -> log.trace("{}", m);
      case 1 -> log.debug("{}", m);
      case 2 -> log.info("{}", m);
      case 3 -> log.warn("{}", m);
      default -> log.error("{}", m);
    }
  }

  static int rank(String level) {
    return switch (level == null ? "info" : level.toLowerCase(Locale.ROOT)) {
      case "trace" -> 0;
      case "debug" -> 1;
      case "warn", "warning" -> 3;
      case "error", "fatal" -> 4;
      default -> 2;
    };
  }
}
