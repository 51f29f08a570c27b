package dev.rebound.runtime.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an enum whose methods apply their Rebound policies themselves: the weaver adds it to every woven
 * enum that carries a policy (and to each constant's class body), as it adds {@link Resilient} to a class.
 * An enum gets this annotation instead because AspectJ adds no interface to an enum. Never put it on a
 * type yourself; ask {@code Rebound.isResilient(object)} instead.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ResilientEnum {
}
