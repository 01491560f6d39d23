// Settings of the HTTP and MCP servers, read from configs/server.yaml.
import { z } from 'zod';
import { loadConfig } from '../engine/config/load-config.ts';

export const serverConfigSchema = z.object({
  http: z.object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    allowedOrigins: z.array(z.url()).default([]),
    maxBodyBytes: z.number().int().positive(),
    apiMaxBodyBytes: z.number().int().positive(),
  }),
  mcp: z.object({
    maxSessions: z.number().int().min(1),
    maxSessionsPerClient: z.number().int().min(1),
    idleSeconds: z.number().positive(),
    unusedIdleSeconds: z.number().positive(),
    thumbnails: z.object({
      count: z.number().int().min(0).max(100),
      maxSide: z.number().int().min(16).max(1024),
      quality: z.number().int().min(1).max(100),
    }),
    maxResultBytes: z.number().int().min(65536).max(1048576),
    listImages: z.number().int().min(0).max(10000),
    watchSeconds: z.number().positive(),
  }),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;

export function loadServerConfig(): ServerConfig {
  return loadConfig('server', serverConfigSchema);
}
