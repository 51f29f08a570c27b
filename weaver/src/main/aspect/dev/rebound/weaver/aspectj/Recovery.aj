package dev.rebound.weaver.aspectj;

/**
 * Holds no advice: the recovery, which hands the engine what the advice's own retries leave, is
 * {@link ResilientCalls}' last advice, so that it runs right inside the advice that hands the call off,
 * with no other aspect's advice between them (AspectJ orders two advices of one aspect by their place in
 * it, and another aspect's advice before both or after both). Kept so that an {@code aop.xml} or a
 * {@code declare precedence} that names it weaves as before: an aspect ordered after {@code ResilientCalls}
 * runs inside both advices, around each attempt, whether it comes before or after {@code Recovery}.
 */
public aspect Recovery {

    declare precedence: ResilientCalls+, Recovery;
}
