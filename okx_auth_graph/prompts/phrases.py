"""The graph's own wording, in both languages, for what the skill leaves open.

Kept apart from the verbatim skill templates so nobody "fixes" those. Each
phrase says what happened and what the user can do next.
"""

from __future__ import annotations

from okx_auth_graph.okx.errors import API_KEY_INSTALL_COMMAND, INSTALL_COMMAND, OAUTH_CLI_VERSION

PHRASES: dict[str, dict[str, str]] = {
    "api_key_configured": {
        "zh": "已配置 API key (profile: <name>)",
        "en": "API key already configured (profile: <name>)",
    },
    "menu_not_a_choice": {
        "zh": "请回复 <numbers>(或 <ids>)选择站点。",
        "en": "Please reply <numbers> (or <ids>) to choose a site.",
    },
    "login_cancelled": {
        "zh": "已取消登录。",
        "en": "Login cancelled.",
    },
    "pending_with_code": {
        "zh": (
            "已有一个登录在等待您的授权,无需重新登录。"
            "链接和验证码与之前相同,有效期从首次显示时算起:"
        ),
        "en": (
            "A login is already waiting for your authorization; no new login is needed. "
            "The link and code are the ones shown before; their time counts from then:"
        ),
    },
    "pending_without_code": {
        "zh": "已有一个登录在等待您在浏览器中授权。完成授权后请告诉我(回复“好了”),或回复“取消”。",
        "en": (
            "A login is already waiting for your authorization in the browser. "
            'Tell me when you are done (reply "done"), or reply "cancel".'
        ),
    },
    "reminder": {
        "zh": (
            "仍在等待您的授权。\n站点:<site>\n链接:<verificationUri>\n验证码:<userCode>\n"
            "完成授权后请告诉我(回复“好了”),或回复“取消”。"
        ),
        "en": (
            "Still waiting for your authorization.\nSite: <site>\nURL: <verificationUri>\n"
            'Code: <userCode>\nTell me when you are done (reply "done"), or reply "cancel".'
        ),
    },
    "not_yet": {
        "zh": "授权尚未完成。请在浏览器中完成授权,然后告诉我。",
        "en": "The authorization is not complete yet. Finish it in the browser, then tell me.",
    },
    "expired_ask_retry": {
        "zh": "验证码已过期或授权被拒绝。要重新登录吗?(是 / 否)",
        "en": "The code expired or the authorization was refused. Try again? (yes / no)",
    },
    "retry_unclear": {
        "zh": "请回复“是”重新登录,或回复“否”结束。",
        "en": 'Please reply "yes" to try again or "no" to stop.',
    },
    "retry_declined": {
        "zh": "好的,暂不登录。",
        "en": "OK, not logging in for now.",
    },
    "stopped_waiting": {
        "zh": "好的,不再等待。该登录仍在等待授权;您之后完成授权再告诉我即可。",
        "en": (
            "OK, I stopped waiting. The login is still pending; "
            "authorize later and tell me when you are done."
        ),
    },
    "cli_ahead_of_skill": {
        "zh": "⚠️ CLI 版本比此技能新,部分新命令可能未在此记录。建议更新您的技能。",
        "en": (
            "⚠️ CLI version is ahead of this skill. Some new commands may not be documented "
            "here. Consider refreshing your skill."
        ),
    },
    "binary_reinstalled": {
        "zh": "okx-auth 组件缺失或已损坏,已运行 okx auth install 重新安装。",
        "en": "The okx-auth binary was missing or broken; I reinstalled it with okx auth install.",
    },
    "status_report": {
        "zh": "登录状态:<status>\n站点:<site>\n权限:<scopes>",
        "en": "Login status: <status>\nSite: <site>\nScopes: <scopes>",
    },
    "session_longevity": {
        "zh": "只要定期使用 CLI,会话就会一直保持有效。",
        "en": "Session stays active as long as you use the CLI periodically.",
    },
    "logged_out": {
        "zh": "已退出登录。客户端注册信息会保留,下次登录会更快。",
        "en": "Logged out. The client registration is kept, so the next login is faster.",
    },
    "binary_installed": {
        "zh": "okx-auth 组件已安装或更新(<version>)。",
        "en": "The okx-auth binary is installed or updated (<version>).",
    },
    "binary_up_to_date": {
        "zh": "okx-auth 组件已是最新版本(<version>)。",
        "en": "The okx-auth binary is up to date (<version>).",
    },
    "binary_status_ok": {
        "zh": "okx-auth 组件已安装(<version>),是最新版本。",
        "en": "The okx-auth binary is installed (<version>) and up to date.",
    },
    "binary_status_outdated": {
        "zh": (
            "okx-auth 组件已安装(<version>),但有新版本(<latest>)。"
            "可以运行 okx auth install 更新。"
        ),
        "en": (
            "The okx-auth binary is installed (<version>) but a newer one exists (<latest>). "
            "Run okx auth install to update it."
        ),
    },
    "binary_status_missing": {
        "zh": "okx-auth 组件尚未安装。可以运行 okx auth install 安装。",
        "en": "The okx-auth binary is not installed. Run okx auth install to install it.",
    },
    "remove_question": {
        "zh": (
            "确定要卸载 okx-auth 组件吗?卸载后 okx auth 登录、退出和状态命令将无法使用,"
            "直到重新安装。(是 / 否)"
        ),
        "en": (
            "Remove the okx-auth binary? okx auth login, logout and status will not work "
            "until it is installed again. (yes / no)"
        ),
    },
    "removed": {
        "zh": "okx-auth 组件已卸载。需要时可运行 okx auth install 重新安装。",
        "en": "The okx-auth binary was removed. Run okx auth install to bring it back.",
    },
    "remove_declined": {
        "zh": "好的,保留 okx-auth 组件。",
        "en": "OK, the okx-auth binary stays installed.",
    },
    "remedy_replace": {
        "zh": (
            "好的。请在 https://<host>/account/my-api 创建新的 API key,然后自己在终端运行 "
            "okx config init 填写(不要发到聊天里)。完成后告诉我,我会重新检查。"
        ),
        "en": (
            "OK. Create a new API key at https://<host>/account/my-api, then run okx config init "
            "yourself in a terminal (do not paste it here). Tell me when it is done and I will "
            "check again."
        ),
    },
    "remedy_oauth_env": {
        "zh": (
            "这个 API key 来自环境变量 OKX_API_KEY,我无法替您移除。请在运行 okx 的环境中"
            "取消设置 OKX_API_KEY、OKX_SECRET_KEY 和 OKX_PASSPHRASE,然后让我登录,"
            "我会从站点选择开始 OAuth 登录。"
        ),
        "en": (
            "This API key comes from the OKX_API_KEY environment variable, which I cannot "
            "remove for you. Unset OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE where okx "
            "runs, then ask me to log in and I will start the OAuth login from the site choice."
        ),
    },
    "remove_profile_question": {
        "zh": (
            "改用 OAuth 之前,需要先移除 API key profile <name>。我会从 ~/.okx/config.toml "
            "中删除这一段,其余内容保持不变,并在旁边保留一份带时间戳的备份。确定删除吗?(是 / 否)"
        ),
        "en": (
            "Before switching to OAuth, the API-key profile <name> must go. I will remove its "
            "block from ~/.okx/config.toml, leave everything else as it is, and keep a "
            "timestamped backup beside it. Remove it? (yes / no)"
        ),
    },
    "profile_kept": {
        "zh": "好的,没有做任何更改,profile <name> 保持不变。",
        "en": "OK, nothing changed; the profile <name> stays as it is.",
    },
    "profile_removed": {
        "zh": "已从 ~/.okx/config.toml 删除 profile <name>;原文件备份在 <backup>。",
        "en": "Removed the profile <name> from ~/.okx/config.toml; the old file is kept at "
              "<backup>.",
    },
    "default_switched": {
        "zh": "默认 profile 已切换为 <other>(okx config use <other>)。",
        "en": "The default profile is now <other> (okx config use <other>).",
    },
    "profile_edit_failed": {
        "zh": (
            "无法安全地修改配置文件(<detail>),文件没有改动。请自己删除 ~/.okx/config.toml "
            "中 [profiles.<name>] 这一段,然后让我登录。"
        ),
        "en": (
            "I could not edit the config file safely (<detail>); it is unchanged. Please "
            "delete the [profiles.<name>] block in ~/.okx/config.toml yourself, then ask me "
            "to log in."
        ),
    },
    "offer_other_site": {
        "zh": "要在其他站点重新登录吗?(是 / 否)",
        "en": "Would you like to log in again on another site? (yes / no)",
    },
    "key_site_hint": {
        "zh": (
            "API key 只属于一个站点;如需使用其他站点,请在该站点创建 key,"
            "并自己运行 okx config init。"
        ),
        "en": (
            "An API key belongs to one site; to use another site, create a key there and run "
            "okx config init yourself."
        ),
    },
    "site_unchanged": {
        "zh": "好的,不做更改。",
        "en": "OK, nothing changed.",
    },
    "browser_login_notice": {
        "zh": (
            "接下来请在浏览器中授权:我会在站点 <site> 启动登录,okx 会给出一个链接和授权码。"
            "请打开链接,输入授权码并点击同意。我会在这里等待,最长 <duration>。"
        ),
        "en": (
            "Next you will authorize in your browser: I am starting the login on <site>, and "
            "okx will show a link and a code. Open the link, enter the code and approve. I will "
            "wait here for up to <duration>."
        ),
    },
    "login_wait_timeout": {
        "zh": "<duration>内没有完成授权,我已停止这次登录。",
        "en": "The authorization did not finish within <duration>, so I stopped this login.",
    },
    "retry_question": {
        "zh": "要重新登录吗?(是 / 否)",
        "en": "Try again? (yes / no)",
    },
    "one_or_two": {
        "zh": "请回复 1 或 2。",
        "en": "Please reply 1 or 2.",
    },
    "yes_or_no": {
        "zh": "请回复“是”或“否”。",
        "en": 'Please reply "yes" or "no".',
    },
    "current_site": {
        "zh": "您当前的站点:<site>。",
        "en": "Your current site: <site>.",
    },
    "current_site_unknown": {
        "zh": "尚未选择站点。登录时请选择该产品可用的站点。",
        "en": "No site has been chosen yet. When you log in, choose a site where it is available.",
    },
    "retried_command": {
        "zh": "已重新运行失败的命令 okx <command>,这次成功了。",
        "en": "I ran the failed command again (okx <command>) and it worked this time.",
    },
    "retry_your_call": {
        "zh": (
            "登录这一侧已修复(okx-auth 已就绪)。失败的命令不是登录命令,"
            "我不会替您运行它:请现在重试您自己的调用。"
        ),
        "en": (
            "The sign-in side is repaired (okx-auth is ready). The failed command is not a "
            "sign-in command, so I do not run it for you: retry your own call now."
        ),
    },
    "api_key_remedy": {
        "zh": (
            "OKX 拒绝了 API key(profile: <name>)。有两种做法,请选择:\n\n"
            "  1. 更换 API key:在 OKX 网页(https://<host>/account/my-api)创建新的 key,"
            "然后自己运行 okx config init 填写。请不要把 key、密钥或密码发到聊天里:"
            "它们会留在对话记录和存档中。\n"
            "  2. 完全改用 OAuth:先移除这个 API key profile(删除前我会先征求您的同意,"
            "并保留配置文件的备份),再进行 OAuth 登录。\n\n"
            "请告诉我您的选择;由您决定。"
        ),
        "en": (
            "OKX rejected the API key (profile: <name>). There are two ways on; please choose:"
            "\n\n"
            "  1. Replace the API key: create a new key on the OKX web console "
            "(https://<host>/account/my-api), then run okx config init yourself. Please do not "
            "send keys, secrets or passphrases in this chat: they would stay in the conversation "
            "and its saved history.\n"
            "  2. Switch entirely to OAuth: first remove this API-key profile (I will ask before "
            "removing it, and keep a backup of the config file), then log in with OAuth.\n\n"
            "Tell me which you prefer; the choice is yours."
        ),
    },
    # The MCP server's own words: the client's elicitation forms, and a client that cannot ask.
    "mcp_cannot_ask": {
        "zh": (
            "这个 MCP 客户端无法直接询问您(它不支持 elicitation),所以登录不能在这里继续:"
            "站点和授权确认必须由您本人给出,不能由模型代答。请在终端中登录:\n"
            "okx auth login --site <sites>\n"
            "(站点由您选择),或运行 okx-auth-graph chat,按步骤完成登录。"
        ),
        "en": (
            "This MCP client cannot ask you anything (it supports no elicitation), so the "
            "sign-in cannot go on here: the site and the confirmation must come from you, not "
            "from the model. Sign in from a terminal instead:\n"
            "okx auth login --site <sites>\n"
            "(the site is yours to choose), or run okx-auth-graph chat to be guided through it."
        ),
    },
    "mcp_not_shown": {
        "zh": "这个 MCP 客户端没能向您显示问题,所以这一步在这里停下。",
        "en": "This MCP client could not show you the question, so this step stops here.",
    },
    "mcp_cannot_ask_server": {
        "zh": (
            "这个 MCP 客户端无法直接询问您(它不支持 elicitation),所以登录不能在这里继续:"
            "站点和授权确认必须由您本人给出,不能由模型代答。"
            "请使用能够询问您的 MCP 客户端(支持 elicitation)连接这台服务器再登录。"
        ),
        "en": (
            "This MCP client cannot ask you anything (it supports no elicitation), so the "
            "sign-in cannot go on here: the site and the confirmation must come from you, not "
            "from the model. Connect to this server with an MCP client that can ask you "
            "(one with elicitation) to sign in."
        ),
    },
    "mcp_done_field": {
        "zh": "我已在浏览器中完成授权",
        "en": "I have authorized in the browser",
    },
    "mcp_yes": {"zh": "是", "en": "Yes"},
    "mcp_no": {"zh": "否", "en": "No"},
    # Failures, one per error kind (see okx_auth_graph.okx.errors.ErrorKind).
    "failure_cli_not_found": {
        "zh": (
            f"本机没有找到 okx 命令行工具。OAuth 登录需要 {OAUTH_CLI_VERSION} 或更新的版本"
            f"(从这个版本起才有 okx auth 命令),请这样安装:\n{INSTALL_COMMAND}\n"
            "安装后告诉我重试。npm 仓库可能还没有提供这样的版本"
            "(npm 会回答 No matching version found);"
            "它现在提供的版本没有 okx auth,无法用它进行 OAuth 登录,但可以使用 API key:"
            f"用 {API_KEY_INSTALL_COMMAND} 安装后运行 okx config init。"
        ),
        "en": (
            f"The okx CLI is not installed here. OAuth sign-in needs version {OAUTH_CLI_VERSION} "
            f"or later (the first with the okx auth commands); install one with:\n"
            f"{INSTALL_COMMAND}\nthen tell me to try again. The npm registry may not serve such "
            "a version yet (npm then answers No matching version found); the version it "
            "serves has no okx auth, so it cannot sign in with OAuth, but it works with an "
            f"API key: install it with {API_KEY_INSTALL_COMMAND} and run okx config init."
        ),
    },
    "failure_cli_too_old": {
        "zh": (
            "当前的 okx 命令行工具没有 okx auth 命令,无法进行 OAuth 登录:这些命令从 "
            f"{OAUTH_CLI_VERSION} 版本起才有。请安装这个或更新的版本:\n{INSTALL_COMMAND}\n"
            "安装后告诉我重试。npm 仓库可能还没有提供这样的版本"
            "(npm 会回答 No matching version found);"
            "在那之前无法用这个命令行工具进行 OAuth 登录,但它可以使用 API key:运行 "
            "okx config init。"
        ),
        "en": (
            "This okx CLI has no okx auth commands, so it cannot sign in with OAuth: they "
            f"came with version {OAUTH_CLI_VERSION}. Install that version or a later one "
            f"with:\n{INSTALL_COMMAND}\nthen tell me to try again. The npm registry may not "
            "serve such a version yet (npm then answers No matching version found); until it "
            "does, this CLI cannot sign in with OAuth, but it works with an API key: run "
            "okx config init."
        ),
    },
    "failure_spawn_failed": {
        "zh": (
            "okx-auth 组件缺失或已损坏,重新安装也没有解决(<detail>)。"
            "请运行 okx auth install,完成后告诉我。"
        ),
        "en": (
            "The okx-auth binary is missing or broken and reinstalling it did not help "
            "(<detail>). Run okx auth install and tell me when it is done."
        ),
    },
    "failure_install_cdn_failed": {
        "zh": "安装 okx-auth 组件失败:所有 CDN 源都不可用。请检查网络后重试 okx auth install。",
        "en": (
            "Installing the okx-auth binary failed: all CDN sources failed. "
            "Check your network, then retry okx auth install."
        ),
    },
    "failure_network_error": {
        "zh": "连接 OKX 时网络出错。请检查网络后重试。",
        "en": "A network error stopped the request to OKX. Check your network and try again.",
    },
    "failure_rate_limited": {
        "zh": "OKX 暂时限制了请求频率。请稍等片刻再试。",
        "en": "OKX is limiting the request rate right now. Wait a moment and try again.",
    },
    "failure_no_config": {
        "zh": (
            "没有找到 okx 配置。如需使用 API key,请自行运行 okx config init;"
            "也可以改用 OAuth 登录。"
        ),
        "en": (
            "No okx config was found. To use an API key, run okx config init yourself; "
            "or log in with OAuth instead."
        ),
    },
    "failure_session_expired": {
        "zh": "OKX 会话已过期,需要重新登录。",
        "en": "Your OKX session has expired; you need to log in again.",
    },
    "failure_not_authenticated": {
        "zh": "尚未登录 OKX,需要先登录。",
        "en": "You are not logged in to OKX yet; you need to log in first.",
    },
    "failure_authorization_timed_out": {
        "zh": "授权超时。需要重新运行登录。",
        "en": "The authorization timed out. The login needs to be started again.",
    },
    "failure_access_denied": {
        "zh": "授权在浏览器中被拒绝。需要重新登录,并在浏览器中点击同意。",
        "en": "The authorization was denied in the browser. Log in again and approve it.",
    },
    "failure_region_restricted": {
        "zh": "该产品在当前站点不可用(地区限制)。",
        "en": "This instrument is not available on your current site (region restriction).",
    },
    "failure_api_key_rejected": {
        "zh": "OKX 拒绝了当前的 API key。",
        "en": "OKX rejected the configured API key.",
    },
    "failure_home_unavailable": {
        "zh": (
            # The detail is the package's own English words for the operator: not quoted here.
            "这台服务器无法为您的账号准备独立的 okx 目录,"
            "所以没有运行任何 okx 命令。请联系服务器管理员。"
        ),
        "en": (
            "This server cannot give your account a private okx folder (<detail>), "
            "so no okx command was run. Please contact the server's operator."
        ),
    },
    "failure_timeout": {
        "zh": (
            "okx 命令行工具没有及时响应(<command> 超时,已被停止)。"
            "请重试;如果一直这样,请检查网络。"
        ),
        "en": (
            "The okx CLI did not answer in time (<detail>). Try again; "
            "if it keeps happening, check the network."
        ),
    },
    "failure_malformed_output": {
        "zh": (
            "okx 命令行工具输出了无法识别的内容(来自 <command>)。请重试;如果一直这样,请升级:\n"
            f"{INSTALL_COMMAND}"
        ),
        "en": (
            "The okx CLI printed something unexpected (<detail>). Try again; "
            f"if it keeps happening, upgrade it:\n{INSTALL_COMMAND}"
        ),
    },
    "failure_foreign_link": {
        "zh": (
            "okx 命令行工具返回的授权链接不在 okx.com 上,所以我没有显示它,请不要使用。"
            "您的 okx 安装可能被篡改或配置有误:请重新安装\n"
            f"{INSTALL_COMMAND}\n"
            "然后运行 okx auth install,"
            "并检查 OKX_AUTH_BIN(如果设置了)是否指向 CLI 安装的 okx-auth。"
        ),
        "en": (
            "The okx CLI returned an authorization link that is not on okx.com, so I did not "
            "show it; do not use it. Your okx installation may be tampered with or "
            f"misconfigured: reinstall it with\n{INSTALL_COMMAND}\nthen run okx auth install, "
            "and check that OKX_AUTH_BIN, if set, names the okx-auth binary the CLI installed."
        ),
    },
    "failure_unknown": {
        "zh": "okx 命令行工具出错:<detail>",
        "en": "The okx CLI failed: <detail>",
    },
}
