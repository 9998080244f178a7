import type { Receiver } from "@hookgate/core";
import type { DynamicModule } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { HookgateService, type HookgateServiceOptions } from "./hookgate-service.js";
import { mountWebhookRoute } from "./mount-webhook-route.js";

/** Options for {@link HookgateModule.forRoot}. */
export interface HookgateModuleOptions extends HookgateServiceOptions {
  /** The receiver that verifies and handles deliveries. */
  receiver: Pick<Receiver, "handle">;
  /**
   * Serve POST `path` (the full path: Nest's global prefix does not apply) ahead of Nest's body
   * parsers, so it works with any body parser setting. Without it, call {@link HookgateService}
   * from a controller of yours.
   */
  path?: string;
}

/**
 * The hookgate module: a global {@link HookgateService} and, with `path`, the webhook route.
 *
 * @example
 * Module({ imports: [HookgateModule.forRoot({ receiver, path: "/webhooks/stripe" })] })(AppModule);
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class with static forRoot.
export class HookgateModule {
  static forRoot(options: HookgateModuleOptions): DynamicModule {
    const { receiver, path, ...serviceOptions } = options;
    return {
      module: HookgateModule,
      global: true,
      providers: [
        {
          provide: HookgateService,
          inject: [HttpAdapterHost],
          useFactory: (host: HttpAdapterHost) => {
            const service = new HookgateService(receiver, serviceOptions);
            if (path !== undefined) mountWebhookRoute(host, path, service);
            return service;
          },
        },
      ],
      exports: [HookgateService],
    };
  }
}
