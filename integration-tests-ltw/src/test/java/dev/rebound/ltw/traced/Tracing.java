package dev.rebound.ltw.traced;

import java.util.Arrays;
import org.aspectj.lang.JoinPoint;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.annotation.Before;

/**
 * An application's tracing aspect, as one is usually written: annotation style, compiled by javac, declared in the
 * application's aop.xml with no precedence, reading the join point's arguments.
 */
@Aspect
public class Tracing {

    @Before("execution(* dev.rebound.ltw.traced.Chatting.Primary.chat(..))")
    public void enter(JoinPoint jp) {
        Chatting.LOG.add("traced " + Arrays.toString(jp.getArgs()));
    }
}
