export type { IoredisClientLike, NodeRedisClientLike, RedisClientLike } from "./redis-client.js";
export type { RedisStoreOptions } from "./redis-store.js";
export { redisStore } from "./redis-store.js";
