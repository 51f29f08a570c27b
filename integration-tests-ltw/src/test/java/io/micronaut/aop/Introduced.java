package io.micronaut.aop;

/** Micronaut's marker of its introduction advice's classes, by its real name (empty, as the tests need it). */
public interface Introduced {
}
