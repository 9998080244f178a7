type Argument = string;

/**
 * The part of an ioredis client (`Redis` or `Cluster`, versions 5 and 6) that the store uses.
 */
export interface IoredisClientLike {
  evalsha(sha1: string, numkeys: number, ...keysAndArgs: Argument[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...keysAndArgs: Argument[]): Promise<unknown>;
}

/**
 * The part of a node-redis client (`createClient()` or `createCluster()` from `redis` 4 and
 * newer) that the store uses.
 */
export interface NodeRedisClientLike {
  evalSha(sha1: string, options: { keys: Argument[]; arguments: Argument[] }): Promise<unknown>;
  eval(script: string, options: { keys: Argument[]; arguments: Argument[] }): Promise<unknown>;
}

/** A connected Redis client: ioredis (`Redis`, `Cluster`) or node-redis (`createClient`, `createCluster`). */
export type RedisClientLike = IoredisClientLike | NodeRedisClientLike;
