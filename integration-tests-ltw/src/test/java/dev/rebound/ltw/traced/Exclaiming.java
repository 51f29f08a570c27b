package dev.rebound.ltw.traced;

import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.annotation.DeclarePrecedence;

/**
 * An application's around advice, annotation style, ordered inside Rebound's (around each attempt), that proceeds with
 * changed arguments.
 */
@Aspect
@DeclarePrecedence("dev.rebound.weaver.aspectj.ResilientCalls+, dev.rebound.ltw.traced.Exclaiming")
public class Exclaiming {

    @Around("execution(* dev.rebound.ltw.traced.Chatting.Exclaimed.chat(..))")
    public Object exclaim(ProceedingJoinPoint pjp) throws Throwable {
        Chatting.LOG.add("exclaiming " + pjp.getArgs()[0]);
        return pjp.proceed(new Object[] {pjp.getArgs()[0] + "!"});
    }
}
