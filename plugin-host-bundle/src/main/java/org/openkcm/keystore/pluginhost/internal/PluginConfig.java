package org.openkcm.keystore.pluginhost.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One out-of-process backend, in OpenKCM's plugin entry shape (config.yaml {@code plugins:} list,
 * or a Karaf factory configuration {@code org.openkcm.keystore.goplugin-<name>.cfg}).
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore go-plugin backend",
    description = "An out-of-process backend run through hashicorp/go-plugin")
@interface PluginConfig {
  @AttributeDefinition(
      description =
          "Backend name the plugin is registered under (routing, console, keystore:backends)")
  String name();

  @AttributeDefinition(
      description = "Absolute path of the plugin executable (a regular file, no symlink)")
  String path();

  @AttributeDefinition(
      description = "Plugin type: the gRPC service and handshake cookie; only KeystoreOperations")
  String type() default "KeystoreOperations";

  @AttributeDefinition(description = "Command-line arguments", required = false)
  String[] args() default {};

  @AttributeDefinition(
      description = "NAME=value pairs: the plugin's whole environment besides the handshake",
      required = false)
  String[] env() default {};

  @AttributeDefinition(description = "Hex SHA-256 of the executable, checked before every launch")
  String checksum();

  @AttributeDefinition(
      description =
          "Level the plugin logs at and below which its records are dropped: trace, debug, info, warn, error")
  String logLevel() default "info";

  @AttributeDefinition(description = "Free-form tags shown with the backend", required = false)
  String[] tags() default {};

  @AttributeDefinition(description = "Keep the entry but run no process")
  boolean disabled() default false;

  @AttributeDefinition(
      description = "Sent verbatim to the plugin's configure step",
      required = false)
  String yamlConfiguration() default "";

  @AttributeDefinition(description = "How long a launch may take until the backend is registered")
  String startTimeout() default "10s";

  @AttributeDefinition(description = "Deadline of each call to the plugin")
  String callTimeout() default "5s";

  @AttributeDefinition(
      description = "Interval of the grpc.health.v1 check; three failures restart the plugin")
  String healthInterval() default "2s";

  @AttributeDefinition(description = "Longest wait between two restarts")
  String maxBackoff() default "30s";
}
