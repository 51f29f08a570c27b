package dev.rebound.ltw.order;

import dev.rebound.annotations.Retry;

/** A policy on the interface's method, none on the interface itself; LoadOrderTest loads {@link Rank} first. */
public interface Ranked {

    @Retry(attempts = 3)
    String call(String prompt);
}
