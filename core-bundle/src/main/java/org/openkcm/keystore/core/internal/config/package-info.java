/**
 * Configuration bridge: config.yaml and environment variables into ConfigAdmin, validated, watched.
 * Private.
 */
package org.openkcm.keystore.core.internal.config;
