package org.openkcm.keystore.api;

import java.time.Duration;
import java.time.Instant;
import org.openkcm.keystore.spi.BackendState;

/**
 * The operator's view of one backend: whether configuration names it, whether a service is present,
 * its last health, and how many records it holds (-1 when unknown).
 */
public record BackendStatus(
    String name,
    boolean configured,
    boolean present,
    boolean persistent,
    BackendState state,
    String detail,
    Duration latency,
    Instant checkedAt,
    long keyCount) {}
