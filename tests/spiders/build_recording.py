"""Build the recorded sites under ``tests/data/sites`` from ``tests/data/sites/_source``.

The recording is what the tests, the demo and the benchmark crawl: the bytes each site would
send, in that site's own template (page chrome, share bars, related links and all), so the
declared selectors are exercised as they would be on the real pages. Article text and the
answer key live in ``_source/<site>.yaml``; this module only renders them. Run it on purpose
(``python -m tests.spiders.build_recording``) and commit the result: the bytes on disk, not
this script, are the fixture.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "tests" / "data" / "sites"
SOURCE = SITES / "_source"
SEED = Path("/work/shared/seeds/000_bc54e6ebe17d93eb.txt")
SEED_COPY = SOURCE / "seed_interview.txt"

HOSTS = {
    "lfxww": "www.lfxww.com",
    "puxian_gov": "www.puxian.gov.cn",
    "linfen_gov": "www.linfen.gov.cn",
    "sxgov_lf": "lf.sxgov.cn",
    "sxrb_lf": "lf.sxrb.com",
}
# lfxww declares gb2312 (header and meta) but, like real sites, sends GBK: a reporter's name
# (刘喆) is outside GB2312, which is why decoding must use gb18030.
ENCODING = {"www.lfxww.com": "gbk"}
ESC = html.escape


def e(text: str) -> str:
    return ESC(text, quote=True)


def path_of(url: str) -> str:
    return urlsplit(url).path


def day(article: dict[str, Any]) -> str:
    return str(article["date"])[:10]


# ------------------------------------------------------------------------------------------
# 临汾新闻网 (Bootstrap-style DedeCMS template, GB2312 declared)
# ------------------------------------------------------------------------------------------

LFXWW_MENU = [
    ("/", "首页"), ("/linfen/shizheng/", "时政"), ("/linfen/jjjs/", "经济"),
    ("/linfen/fzsh/", "法治"), ("/linfen/kjww/", "科教"), ("/linfen/xnc/", "新农村"),
    ("/linfen/qyxw/", "区域"), ("/puxian/", "蒲县"), ("/yicheng/", "翼城"),
    ("/2022/gzlsslh/", "贯彻落实市两会"),
]
LFXWW_CHANNELS = {
    "/puxian/": "蒲县", "/linfen/shizheng/": "时政", "/linfen/qyxw/": "区域新闻",
    "/linfen/jjjs/": "经济建设", "/2022/gzlsslh/fzrft/": "负责人访谈",
    "/2022/gzlsslh/": "贯彻落实市两会",
}
LFXWW_COPYRIGHT = (
    "版权声明:凡临汾日报、临汾日报晚报版、临汾新闻网刊载及发布的各类稿件（包括文字、图片、"
    "音视频等），版权均属临汾日报社所有。未经授权，任何单位和个人不得转载、摘编或以其它方式使用。"
    "已经授权的，应在授权范围内使用，并注明“来源:临汾新闻网”。"
)


def lfxww_head(title: str, description: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<meta name="keywords" content="临汾新闻网,临汾日报,临汾新闻" />
<meta name="description" content="{e(description)}" />
<link href="/templets/lfxww/css/bootstrap.min.css" rel="stylesheet" type="text/css" />
<link href="/templets/lfxww/css/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/templets/lfxww/js/jquery-1.11.3.min.js"></script>
</head>
<body>
<div class="top-bar"><div class="container">
  <span class="pull-left">欢迎访问临汾新闻网！</span>
  <span class="pull-right"><a href="http://www.lfxww.com/">首页</a> | <a href="http://epaper.lfxww.com/">数字报</a> | <a href="/dede/login.php">投稿</a></span>
</div></div>
<div class="container header">
  <div class="logo"><a href="http://www.lfxww.com/"><img src="/templets/lfxww/images/logo.png" alt="临汾新闻网" /></a></div>
  <div class="search"><form action="/plus/search.php" method="get"><input type="text" name="q" /><button type="submit">搜索</button></form></div>
</div>
<div class="menu"><div class="container m-l-content"><ul>
{"".join(f'  <li><a href="{href}">{name}</a></li>{chr(10)}' for href, name in LFXWW_MENU)}</ul></div></div>
"""


def lfxww_footer() -> str:
    return """<div class="footer"><div class="container">
  <p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | <a href="/ad/">广告服务</a> | <a href="/copyright/">版权声明</a></p>
  <p>主办：临汾日报社　地址：山西省临汾市尧都区五一东路　新闻热线：0357-2028888</p>
  <p>晋ICP备05003286号　互联网新闻信息服务许可证：14120170001</p>
</div></div>
<script type="text/javascript">var _hmt = _hmt || [];</script>
</body>
</html>
"""


def lfxww_channel(url: str) -> tuple[str, str]:
    path = path_of(url)
    channel = path.rsplit("/", 1)[0] + "/"
    return channel, LFXWW_CHANNELS.get(channel, "新闻")


def lfxww_body_paragraphs(a: dict[str, Any]) -> list[str]:
    paras = list(a["paragraphs"])
    lead, byline = a.get("lead"), a.get("byline")
    if lead:
        # 临汾新闻网讯 (记者 ...) with ASCII brackets, 本报讯 （记者 ...） with full-width ones.
        if not byline:
            by = " "
        elif lead == "临汾新闻网讯":
            by = f" ({byline}) "
        else:
            by = f"（{byline}）"
        paras[0] = f"{lead}{by}{paras[0]}"
    return paras


def lfxww_article(a: dict[str, Any], related: list[dict[str, Any]]) -> str:
    channel, channel_name = lfxww_channel(a["url"])
    date = str(a["date"])
    aid = re.search(r"(\d+)\.html$", a["url"]).group(1)  # type: ignore[union-attr]
    out = [lfxww_head(f"{a['title']}_临汾新闻网", (a.get("paragraphs") or [a["title"]])[0][:80])]
    out.append(f"""<div class="container">
<div class="weizhi">当前位置：<a href="/">首页</a> &gt; <a href="{channel}">{channel_name}</a> &gt; 正文</div>
<div class="row">
<div class="col-md-8 xb-left">
""")
    hits = f'<span id="hits"><script src="/plus/count.php?view=yes&aid={aid}&mid=1"></script></span>'
    if a.get("photo"):
        out.append(f"""<div class="piccontext">
<h2>{e(a['title'])}</h2>
<h3>{date} 来源:{e(a['source'])} 浏览次数:{hits}</h3>
<div class="picshow"><ul>
""")
        for photo in a["photos"]:
            out.append(f'<li><p align="center"><img src="{photo["src"]}" alt="" /></p>'
                       f'<p>{e(photo["caption"])}</p></li>\n')
        out.append(f"""</ul></div>
<div class="picnav"><a href="javascript:;" class="prev">上一张</a> <a href="javascript:;" class="next">下一张</a></div>
</div>
<p class="zrbj">责任编辑:{e(a['editor'])}</p>
""")
    else:
        out.append(f"""<h2 class="h2 text-center xb-h2">{e(a['title'])}</h2>
<h3 class="h4 text-center xb-h4">{date} 来源:{e(a['source'])} 浏览次数:{hits}</h3>
<div class="col-md-12 nry jcontent">
""")
        for para in lfxww_body_paragraphs(a) if not a.get("seed") else a["paragraphs"]:
            out.append(f"<p>　　{e(para)}</p>\n")
        if a.get("byline") and not a.get("lead"):
            out.append(f"<p>　　{e(a['byline'])}</p>\n")
        if a.get("old_layout"):
            out.append(f'<p align="right">【责任编辑:{e(a["editor"])}】</p>\n')
        else:
            out.append(f"<p>责任编辑:{e(a['editor'])}</p>\n")
        out.append("</div>\n")
    out.append("""<div class="bdsharebuttonbox"><span>分享到：</span><a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a><a href="#" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a></div>
""")
    out.append(f'<div class="copyright">{LFXWW_COPYRIGHT}</div>\n')
    out.append('<div class="xgxw"><h4>相关新闻</h4><ul>\n')
    for other in related:
        out.append(f'<li><a href="{path_of(other["url"])}" target="_blank">{e(other["title"])}'
                   f"</a><span>{day(other)}</span></li>\n")
    out.append("""</ul></div>
</div>
<div class="col-md-4 xb-right">
<div class="n-c-Focus"><h4>热点推荐</h4><ul class="list-light-gray">
<li><a href="/linfen/shizheng/2689901.html">全市抽水蓄能电站项目建设推进会召开</a></li>
<li><a href="/linfen/shizheng/2710233.html">我市今年完成老旧小区改造236个</a></li>
<li><a href="http://www.sxgov.cn/">黄河新闻网</a></li>
</ul></div>
<div class="ad"><img src="/uploads/ad/right_300x250.jpg" alt="" /></div>
</div>
</div>
</div>
""")
    out.append(lfxww_footer())
    page = "".join(out)
    if a.get("truncate_after") is not None:
        # A broken page: the connection dropped in the middle of the body when it was saved.
        marker = "<p>　　" + e(a["paragraphs"][a["truncate_after"]])
        cut = page.index(marker) + len("<p>　　") + 40
        page = page[:cut]
    return page


def lfxww_list(channel: str, items: list[dict[str, Any]], page: int, pages: int,
               extra: list[tuple[str, str, str]] = ()) -> str:
    name = LFXWW_CHANNELS.get(channel, "新闻")
    out = [lfxww_head(f"{name}_临汾新闻网", f"临汾新闻网{name}频道")]
    out.append(f"""<div class="container">
<div class="weizhi">当前位置：<a href="/">首页</a> &gt; <a href="{channel}">{name}</a></div>
<div class="row">
<div class="col-md-8 xb-left">
<div id="contentText">
<div class="list-box"><ul>
""")
    rows = [(path_of(a["url"]), a["title"], day(a)) for a in items] + list(extra)
    rows.sort(key=lambda row: row[2], reverse=True)
    for href, title, date in rows:
        out.append(f'<li><a href="{href}" target="_blank">{e(title)}</a><span class="time">{date}'
                   "</span></li>\n")
    out.append("</ul></div>\n</div>\n")
    if pages > 1:
        def href(n: int) -> str:
            return "index.html" if n == 1 else f"index_{n - 1}.html"

        links = [f'<a href="{href(1)}">首页</a>']
        if page > 1:
            links.append(f'<a href="{href(page - 1)}">上一页</a>')
        for n in range(1, pages + 1):
            links.append(f"<strong>{n}</strong>" if n == page else f'<a href="{href(n)}">{n}</a>')
        if page < pages:
            links.append(f'<a href="{href(page + 1)}">下一页</a>')
        links.append(f'<a href="{href(pages)}">末页</a>')
        out.append(f'<div class="pagelist">{" ".join(links)} <span>共{pages}页</span></div>\n')
    out.append("""</div>
<div class="col-md-4 xb-right"><div class="n-c-Focus"><h4>图片新闻</h4><ul class="list-light-gray">
<li><a href="/puxian/2697433.html">【图片新闻】蒲县第一中学新校区建设现场</a></li>
<li><a href="http://www.sxgov.cn/content/2022-07/12/content_1.htm">山西新闻</a></li>
</ul></div></div>
</div>
</div>
""")
    out.append(lfxww_footer())
    return "".join(out)


def lfxww_home(articles: list[dict[str, Any]]) -> str:
    out = [lfxww_head("临汾新闻网_临汾日报官方网站", "临汾新闻网是临汾日报社主办的新闻网站")]
    top = articles[0]
    out.append(f"""<div class="container">
<div class="topnews-strong t-news"><a href="{path_of(top['url'])}">{e(top['title'])}</a></div>
<div class="swiper-hd">""")
    for a in articles[1:4]:
        out.append(f'<div class="hd-title"><a href="{path_of(a["url"])}">{e(a["title"])}</a></div>')
    out.append('</div>\n<div class="n-c-Focus"><ul class="list-light-gray">\n')
    for a in articles[4:10]:
        out.append(f'<li><a href="{path_of(a["url"])}">{e(a["title"])}</a></li>\n')
    out.append("</ul></div>\n</div>\n")
    out.append(lfxww_footer())
    return "".join(out)


# ------------------------------------------------------------------------------------------
# TRS WCM government sites (蒲县人民政府, 临汾市人民政府)
# ------------------------------------------------------------------------------------------

GOV = {
    "www.puxian.gov.cn": {
        "site": "蒲县人民政府", "code": "1410330001",
        "nav": [("./", "首页"), ("./xwzx/pxyw/", "蒲县要闻"), ("./xwzx/xzdt/", "乡镇动态"),
                ("./zfxxgk/", "政府信息公开"), ("./zwfw/", "政务服务"), ("./hdjl/", "互动交流"),
                ("./zjpx/", "走进蒲县")],
        "columns": {"/xwzx/pxyw/": ("新闻中心", "蒲县要闻"), "/xwzx/xzdt/": ("新闻中心", "乡镇动态")},
        "footer": "主办：蒲县人民政府办公室　承办：蒲县政务信息中心　晋ICP备09000998号　网站标识码：1410330001",
    },
    "www.linfen.gov.cn": {
        "site": "临汾市人民政府", "code": "1410000025",
        "nav": [("/", "首页"), ("/xwzx/", "新闻中心"), ("/zwgk/", "政务公开"), ("/szf/", "市政府"),
                ("/zwfw/", "政务服务"), ("/hdjl/", "互动交流"), ("/zjlf/", "走进临汾")],
        "columns": {"/xwzx/lfyw/": ("新闻中心", "临汾要闻"), "/xwzx/xqdt/": ("新闻中心", "县区动态"),
                    "/xwzx/bmdt/": ("新闻中心", "部门动态"), "/szf/zfgzbg/": ("市政府", "政府工作报告")},
        "footer": "主办：临汾市人民政府办公室　晋ICP备05002547号　晋公网安备 14100202000123号　网站标识码：1410000025",
    },
}


def gov_head(host: str, title: str, meta: dict[str, str] | None = None) -> str:
    cfg = GOV[host]
    metas = "".join(f'<meta name="{k}" content="{e(v)}">\n' for k, v in (meta or {}).items())
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in cfg["nav"])
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<title>{e(title)}</title>
{metas}<link rel="stylesheet" href="/images/common.css">
<script src="/images/jquery.min.js"></script>
</head>
<body>
<div class="header"><div class="w">
  <div class="logo"><img src="/images/logo.png" alt="{cfg['site']}"></div>
  <div class="top-links"><a href="javascript:;">无障碍浏览</a> <a href="javascript:;">长者模式</a> <a href="/irs/front/search">站内搜索</a></div>
</div></div>
<div class="nav"><ul class="w">{nav}</ul></div>
"""


def gov_foot(host: str) -> str:
    return f"""<div class="footer"><div class="w">
  <p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
  <p>{GOV[host]['footer']}</p>
  <p><span id="_ideConac"><img src="/images/dzjg.png" alt="党政机关"></span></p>
</div></div>
<script src="/images/statistics.js"></script>
</body>
</html>
"""


def trs_article(host: str, a: dict[str, Any]) -> str:
    cfg = GOV[host]
    path = path_of(a["url"])
    column_path = "/".join(path.split("/")[:3]) + "/"
    parent, column = cfg["columns"].get(column_path, ("新闻中心", "工作动态"))
    crumbs = a.get("breadcrumb") or ["首页", parent, column]
    date = str(a["date"])
    meta = {
        "SiteName": cfg["site"], "SiteDomain": host, "SiteIDCode": cfg["code"],
        "ColumnName": crumbs[-1], "ColumnType": "新闻动态",
        "ArticleTitle": a["title"], "PubDate": date[:16], "ContentSource": a["source"],
        "Keywords": "", "Author": "", "Description": a["paragraphs"][0][:60],
        "Url": a["url"],
    }
    out = [gov_head(host, f"{a['title']}_{crumbs[-1]}_{cfg['site']}", meta)]
    crumb_html = " &gt; ".join(
        f'<a href="{"/" if i == 0 else column_path}">{c}</a>' for i, c in enumerate(crumbs))
    info_date = "" if a.get("no_date_in_body") else f"<span>发布时间：{date[:10]}</span>"
    out.append(f"""<div class="w main">
<div class="position">当前位置：{crumb_html}</div>
<div class="article">
<h1>{e(a['title'])}</h1>
<div class="info">{info_date}<span>来源：{e(a['source'])}</span><span class="font">【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span></div>
<div id="zoom"><div class="TRS_Editor">
""")
    for para in a["paragraphs"]:
        out.append(f'<p style="text-indent: 2em;">{e(para)}</p>\n')
    out.append("</div></div>\n")
    if a.get("editor"):
        out.append(f'<div class="editor">责任编辑：{e(a["editor"])}</div>\n')
    out.append("""<div class="share">分享到：<a href="javascript:;" class="wx">微信</a> <a href="javascript:;" class="wb">微博</a></div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
</div>
""")
    out.append(gov_foot(host))
    return "".join(out)


def gov_2019_article(host: str, a: dict[str, Any]) -> str:
    """临汾市人民政府 about 2019: /{dept}/contents/{chan}/{id}.html, body in #UCAP-CONTENT."""
    date = str(a["date"])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{e(a['title'])}-临汾市住房和城乡建设局</title>
<link href="/zhujian/images/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<div class="top w"><img src="/zhujian/images/banner.jpg" alt="临汾市住房和城乡建设局" /></div>
<div class="menu w"><a href="/zhujian/">首页</a> <a href="/zhujian/channels/11353.html">工作动态</a> <a href="/zhujian/channels/11354.html">通知公告</a></div>
<div class="cont w">
<div class="weizhi">您当前的位置：<a href="/zhujian/">首页</a> &gt; <a href="/zhujian/channels/11353.html">工作动态</a></div>
<h1>{e(a['title'])}</h1>
<div class="info">发布时间：{date[:16]}　来源：{e(a['source'])}　浏览次数：<span id="ucap-hits">128</span></div>
<div id="UCAP-CONTENT">
{"".join(f"<p>　　{e(p)}</p>{chr(10)}" for p in a['paragraphs'])}</div>
<div class="dayin"><a href="javascript:window.print();">打印本页</a> <a href="javascript:window.close();">关闭窗口</a></div>
</div>
<div class="foot w">主办：临汾市住房和城乡建设局　晋ICP备05002547号</div>
</body>
</html>
"""


def trs_list(host: str, column_path: str, items: list[dict[str, Any]], page: int, pages: int
             ) -> str:
    cfg = GOV[host]
    parent, column = cfg["columns"].get(column_path, ("新闻中心", "工作动态"))
    out = [gov_head(host, f"{column}_{cfg['site']}", {"SiteName": cfg["site"],
                                                      "ColumnName": column})]
    out.append(f"""<div class="w main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="#">{parent}</a> &gt; <a href="{column_path}">{column}</a></div>
<div class="left-menu"><h3>{parent}</h3><ul>{"".join(f'<li><a href="{p}">{c[1]}</a></li>' for p, c in cfg['columns'].items())}</ul></div>
<div class="list"><ul>
""")
    for a in sorted(items, key=day, reverse=True):
        rel = "./" + path_of(a["url"])[len(column_path):]
        out.append(f'<li><a href="{rel}" target="_blank" title="{e(a["title"])}">'
                   f'{e(a["title"])}</a><span>{day(a)}</span></li>\n')
    out.append(f"""</ul></div>
<div class="page"><script type="text/javascript">
var currentPage = {page - 1};
var countPage = {pages};
createPageHTML({pages}, {page - 1}, "index", "html");
</script></div>
</div>
""")
    out.append(gov_foot(host))
    return "".join(out)


def gov_2019_list(items: list[dict[str, Any]], page: int, pages: int) -> str:
    rows = "".join(
        f'<li><a href="{path_of(a["url"])}" target="_blank">{e(a["title"])}</a>'
        f"<span>{day(a)}</span></li>\n"
        for a in sorted(items, key=day, reverse=True))
    nav = []
    if page > 1:
        nav.append(f'<a href="11353{"" if page == 2 else f"_{page - 1}"}.html">上一页</a>')
    if page < pages:
        nav.append(f'<a href="11353_{page + 1}.html">下一页</a>')
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>工作动态-临汾市住房和城乡建设局</title>
</head>
<body>
<div class="menu w"><a href="/zhujian/">首页</a> <a href="/zhujian/channels/11353.html">工作动态</a></div>
<div class="con w">
<h2>工作动态</h2>
<ul>
{rows}</ul>
<div class="page"><p>{page} / {pages}</p>{" ".join(nav)}</div>
</div>
<div class="foot w">主办：临汾市住房和城乡建设局</div>
</body>
</html>
"""


def gov_home(host: str, items: list[dict[str, Any]]) -> str:
    out = [gov_head(host, GOV[host]["site"], {"SiteName": GOV[host]["site"]})]
    out.append('<div class="w main"><div class="focus"><ul>\n')
    for a in sorted(items, key=day, reverse=True)[:6]:
        out.append(f'<li><a href="{path_of(a["url"])}">{e(a["title"])}</a></li>\n')
    out.append("</ul></div></div>\n")
    out.append(gov_foot(host))
    return "".join(out)


# ------------------------------------------------------------------------------------------
# 黄河新闻网 临汾频道 and 山西新闻网 临汾频道
# ------------------------------------------------------------------------------------------

def sxgov_article(a: dict[str, Any], related: list[dict[str, Any]]) -> str:
    date = str(a["date"])
    out = [f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{e(a['title'])}_黄河新闻网临汾频道</title>
<meta name="keywords" content="临汾,蒲县" />
<link rel="stylesheet" href="http://lf.sxgov.cn/static/css/detail.css" />
</head>
<body>
<div class="topbar">黄河新闻网 | <a href="http://www.sxgov.cn/">首页</a> <a href="http://lf.sxgov.cn/">临汾频道</a> <a href="http://yc.sxgov.cn/">运城频道</a></div>
<div class="nav"><a href="http://lf.sxgov.cn/">临汾首页</a> <a href="http://lf.sxgov.cn/node_301.htm">时政要闻</a> <a href="http://lf.sxgov.cn/node_305.htm">县区新闻</a> <a href="http://lf.sxgov.cn/node_309.htm">视觉临汾</a></div>
<div class="detail">
<div class="crumb">当前位置：<a href="http://lf.sxgov.cn/">临汾频道</a> &gt; 正文</div>
<h1>{e(a['title'])}</h1>
<div class="info"><span id="pubtime_baidu">{date}</span>　<span id="source_baidu">来源：{e(a['source'])}</span>　<span id="editor_baidu">编辑：{e(a['editor'])}</span></div>
<div class="Newsfont">
"""]
    if a.get("photo"):
        for photo in a["photos"]:
            out.append(f'<p style="text-align:center"><img src="{photo["src"]}" /></p>\n'
                       f'<p style="text-indent:2em">{e(photo["caption"])}</p>\n')
    else:
        for para in a["paragraphs"]:
            out.append(f'<p style="text-indent:2em">{e(para)}</p>\n')
    if a.get("repost_by"):
        out.append(f'<p style="text-align:right">（厚德蒲县 {e(a["repost_by"])}）</p>\n')
    if not a.get("continued"):
        out.append(f"<p>[编辑:{e(a['editor'])}]</p>\n")
    out.append("</div>\n")
    stem = re.sub(r"(_\d{1,3})?\.htm$", "", a["url"].rsplit("/", 1)[1])
    if a.get("continued") or a.get("page_no"):
        current = int(a.get("page_no", 1))
        links = [f"<a href=\"{stem}.htm\">1</a>" if current != 1 else "<span>1</span>",
                 f"<a href=\"{stem}_2.htm\">2</a>" if current != 2 else "<span>2</span>"]
        if current == 1:
            links.append(f'<a href="{stem}_2.htm">下一页</a>')
        out.append(f'<div class="page">{" ".join(links)}</div>\n')
    out.append('<div class="share">分享：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div>\n')
    out.append('<div class="related"><h3>相关阅读</h3><ul>\n')
    for other in related:
        out.append(f'<li><a href="{other["url"]}">{e(other["title"])}</a></li>\n')
    out.append("""</ul></div>
</div>
<div class="footer"><p>黄河新闻网版权所有　未经授权禁止复制或建立镜像</p><p>晋ICP备05001234号</p></div>
</body>
</html>
""")
    return "".join(out)


def sxgov_home(items: list[dict[str, Any]]) -> str:
    blocks = []
    for i, a in enumerate(sorted(items, key=day, reverse=True)):
        cls = "headline" if i == 0 else "item"
        blocks.append(f'<div class="{cls}"><a href="{a["url"]}" target="_blank">{e(a["title"])}'
                      f"</a></div>\n")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>黄河新闻网临汾频道</title>
</head>
<body>
<div class="topbar">黄河新闻网 | <a href="http://www.sxgov.cn/">首页</a> <a href="http://yc.sxgov.cn/">运城频道</a> <a href="http://www.sxgov.cn/content/2022-12/30/content_12901999.htm">山西要闻</a></div>
<div class="nav"><a href="http://lf.sxgov.cn/">临汾首页</a> <a href="http://lf.sxgov.cn/node_301.htm">时政要闻</a></div>
<div class="main">
{"".join(blocks)}</div>
<div class="footer"><p>黄河新闻网版权所有</p></div>
</body>
</html>
"""


def sxrb_article(a: dict[str, Any], paragraphs: list[str]) -> str:
    date = str(a["date"])
    body = "".join(f"<p>　　{e(p)}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{e(a['title'])}-山西新闻网</title>
<link rel="stylesheet" href="/static/css/article.css">
</head>
<body>
<div class="header"><a href="https://www.sxrb.com/">山西新闻网</a> <a href="https://lf.sxrb.com/">临汾频道</a> <a href="https://epaper.sxrb.com/">数字报</a></div>
<div class="crumb">当前位置:<a href="https://www.sxrb.com/">首页</a> &gt;<a href="https://lf.sxrb.com/">临汾频道</a> &gt;<a href="https://lf.sxrb.com/">临汾要闻</a></div>
<div class="article">
<h1>{e(a['title'])}</h1>
<div class="info">时间:{date} 来源:{e(a['source'])}</div>
<div class="content">
{body}</div>
<div class="editor">编辑:{e(a['editor'])}</div>
<div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div>
</div>
<div class="footer">山西日报社主办　山西新闻网版权所有　晋ICP备05003030号</div>
</body>
</html>
"""


def sxrb_home(items: list[dict[str, Any]]) -> str:
    ordered = sorted(items, key=day, reverse=True)
    top, rest = ordered[0], ordered[1:]
    rows = "".join(f'<li><a href="{a["url"]}" target="_blank">{e(a["title"])}</a>'
                   f"<span>{day(a)}</span></li>\n" for a in rest)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>临汾频道-山西新闻网</title>
</head>
<body>
<div class="header"><a href="https://www.sxrb.com/">山西新闻网</a> <a href="https://lf.sxrb.com/">临汾频道</a></div>
<div class="focus"><h2><a href="{top['url']}">{e(top['title'])}</a></h2></div>
<div class="list"><ul>
{rows}</ul></div>
<div class="footer">山西日报社主办</div>
</body>
</html>
"""


# ------------------------------------------------------------------------------------------
# Assembling the recording
# ------------------------------------------------------------------------------------------

ROBOTS = {
    "www.lfxww.com": "User-agent: *\nDisallow: /dede/\nDisallow: /member/\nDisallow: /plus/\n",
    "www.puxian.gov.cn": "User-agent: *\nDisallow: /wcm/\nDisallow: /irs-admin/\n",
    "www.linfen.gov.cn": "User-agent: *\nDisallow: /wcm/\nDisallow: /zhujian/admin/\n",
    "lf.sxgov.cn": "User-agent: *\nDisallow: /admin/\n",
    "lf.sxrb.com": "User-agent: *\nDisallow: /admin/\nDisallow: /api/\n",
}

# Broken links on 临汾新闻网's 蒲县 channel, and what each should be recorded as.
LFXWW_BROKEN = [
    ("/puxian/2704001.html", "蒲县开展秋季安全生产大检查", "2022-10-18", "offsite_redirect"),
    ("/puxian/2704002.html", "蒲县举办农民丰收节庆祝活动", "2022-09-23", "redirect_loop"),
    ("/puxian/2704004.html", "蒲县召开防汛工作部署会", "2022-07-02", "http_404"),
    ("/puxian/2704005.html", "蒲县2022年政府信息公开工作年度报告", "2022-06-30", "not_html"),
]
# On 时政: a link robots.txt forbids (never requested).
LFXWW_ROBOTS_BLOCKED = ("/member/2690100.html", "会员专区：读者来信选登", "2022-04-01")


def load_source() -> dict[str, list[dict[str, Any]]]:
    articles: dict[str, list[dict[str, Any]]] = {}
    for site in HOSTS:
        articles[site] = yaml.safe_load((SOURCE / f"{site}.yaml").read_text(encoding="utf-8"))
    return articles


def seed_paragraphs() -> list[str]:
    """The seed interview, in simplified characters, as 临汾新闻网 printed it."""
    if SEED_COPY.is_file():
        text = SEED_COPY.read_text(encoding="utf-8")
    else:
        import opencc

        text = opencc.OpenCC("t2s").convert(SEED.read_text(encoding="utf-8"))
        SEED_COPY.write_text(text, encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The last two lines are the by-line and the editor; the template prints the editor.
    return [line for line in lines if not line.startswith("责任编辑")]


class Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[Path] = []

    def write(self, url: str, text: str | bytes, encoding: str = "utf-8") -> None:
        parts = urlsplit(url)
        path = parts.path + ("index.html" if parts.path.endswith("/") else "")
        target = self.root / parts.hostname / path.lstrip("/")  # type: ignore[operator]
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else text.encode(encoding)
        target.write_bytes(data)
        self.files.append(target)


def build(root: Path = SITES) -> dict[str, Any]:
    source = load_source()
    for child in root.iterdir():
        if child.is_dir() and not child.name.startswith("_"):
            shutil.rmtree(child)
    w = Writer(root)
    for host, text in ROBOTS.items():
        scheme = "https" if host == "lf.sxrb.com" else "http"
        w.write(f"{scheme}://{host}/robots.txt", text)
    entries: dict[str, Any] = {}
    by_key = {a["key"]: a for arts in source.values() for a in arts}

    # 临汾新闻网 -----------------------------------------------------------------------------
    lf = source["lfxww"]
    enc = ENCODING["www.lfxww.com"]
    for a in lf:
        if a.get("seed"):
            a["paragraphs"] = seed_paragraphs()
    for a in lf:
        related = [o for o in lf if o is not a and lfxww_channel(o["url"]) == lfxww_channel(a["url"])][:4]
        w.write(a["url"], lfxww_article(a, related), enc)
    channels: dict[str, list[dict[str, Any]]] = {}
    for a in lf:
        channels.setdefault(a["list"], []).append(a)
    for list_url, items in channels.items():
        channel = path_of(list_url)
        extra = []
        if channel == "/puxian/":
            extra = [(p, t, d) for p, t, d, _ in LFXWW_BROKEN]
        if channel == "/linfen/shizheng/":
            extra = [LFXWW_ROBOTS_BLOCKED]
        rows = sorted(items, key=day, reverse=True)
        per_page = 6
        if channel == "/puxian/":
            # Spread the rows (articles and broken links by date) over three pages.
            everything = sorted(
                [(a, day(a)) for a in rows] + [(x, x[2]) for x in extra],
                key=lambda pair: pair[1], reverse=True)
            pages = [everything[i:i + per_page] for i in range(0, len(everything), per_page)]
            for n, chunk in enumerate(pages, start=1):
                arts = [item for item, _ in chunk if isinstance(item, dict)]
                ext = [item for item, _ in chunk if not isinstance(item, dict)]
                name = "index.html" if n == 1 else f"index_{n - 1}.html"
                w.write(list_url + name, lfxww_list(channel, arts, n, len(pages), ext), enc)
        else:
            w.write(list_url + "index.html", lfxww_list(channel, rows, 1, 1, extra), enc)
    w.write("http://www.lfxww.com/index.html",
            lfxww_home(sorted(lf, key=day, reverse=True)), enc)
    entries["http://www.lfxww.com/puxian/2704001.html"] = {
        "status": 301, "redirect": "http://www.lfxww-mirror.cn/puxian/2704001.html"}
    entries["http://www.lfxww.com/puxian/2704002.html"] = {
        "status": 302, "redirect": "http://www.lfxww.com/puxian/2704003.html"}
    entries["http://www.lfxww.com/puxian/2704003.html"] = {
        "status": 302, "redirect": "http://www.lfxww.com/puxian/2704002.html"}
    w.write("http://www.lfxww.com/_files/2704005.pdf",
            b"%PDF-1.4\n% pledgewatch replay: a report published as PDF\n%%EOF\n")
    entries["http://www.lfxww.com/puxian/2704005.html"] = {
        "file": "_files/2704005.pdf", "content_type": "application/pdf"}

    # 蒲县人民政府 ---------------------------------------------------------------------------
    px = source["puxian_gov"]
    for a in px:
        w.write(a["url"], trs_article("www.puxian.gov.cn", a))
    gov_lists(w, "www.puxian.gov.cn", px, per_page=5)
    w.write("http://www.puxian.gov.cn/", gov_home("www.puxian.gov.cn", px))

    # 临汾市人民政府 -------------------------------------------------------------------------
    lg = source["linfen_gov"]
    for a in lg:
        page = (gov_2019_article("www.linfen.gov.cn", a) if a.get("layout") == 2019
                else trs_article("www.linfen.gov.cn", a))
        w.write(a["url"], page)
    gov_lists(w, "www.linfen.gov.cn", [a for a in lg if a.get("list") and not a.get("layout")],
              per_page=5)
    old = [a for a in lg if a.get("layout") == 2019]
    first = [a for a in old if a["list"].endswith("11353.html")]
    second = [a for a in old if a["list"].endswith("11353_2.html")]
    w.write("http://www.linfen.gov.cn/zhujian/channels/11353.html", gov_2019_list(first, 1, 2))
    w.write("http://www.linfen.gov.cn/zhujian/channels/11353_2.html", gov_2019_list(second, 2, 2))
    w.write("http://www.linfen.gov.cn/", gov_home("www.linfen.gov.cn", lg))
    write_search(w, by_key)

    # 黄河新闻网 临汾频道 ---------------------------------------------------------------------
    sx = source["sxgov_lf"]
    for a in sx:
        related = [o for o in sx if o is not a and not o.get("part_of")][:3]
        w.write(a["url"], sxgov_article(a, related))
    w.write("http://lf.sxgov.cn/", sxgov_home([a for a in sx if a.get("list")]))

    # 山西新闻网 临汾频道 ---------------------------------------------------------------------
    sr = source["sxrb_lf"]
    for a in sr:
        if a.get("syndicated_from"):
            original = by_key[a["syndicated_from"]]
            paragraphs = lfxww_body_paragraphs(original)
            a["paragraphs"] = paragraphs
        w.write(a["url"], sxrb_article(a, a["paragraphs"]))
    w.write("https://lf.sxrb.com/", sxrb_home(sr))

    manifest = {
        "hosts": {
            "www.lfxww.com": {"scheme": "http", "charset": "gb2312", "server": "Apache"},
            "www.puxian.gov.cn": {"scheme": "http", "charset": "utf-8", "server": "TRS WCM"},
            "www.linfen.gov.cn": {"scheme": "http", "charset": "utf-8", "server": "nginx"},
            "lf.sxgov.cn": {"scheme": "http", "charset": "utf-8", "server": "nginx"},
            # Only the page's <meta charset> says utf-8: the header is a bare text/html.
            "lf.sxrb.com": {"scheme": "https", "charset": "utf-8", "charset_in_header": False,
                            "server": "openresty"},
        },
        "search": {
            "http://www.linfen.gov.cn/irs/front/search": {
                "keyword_field": "searchWord", "page_field": "pageNo",
                "required": ["orderBy", "searchBy"]},
        },
        "entries": entries,
    }
    header = ("# Written by `python -m tests.spiders.build_recording`; edit _source/ instead.\n"
              "# hosts: what each site declares; search: JSON APIs answered from"
              " <host>/_search/<word>/<page>.json;\n# entries: per-URL exceptions"
              " (status, redirect, file, content_type, headers).\n")
    (root / "manifest.yaml").write_text(
        header + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    expected = answer_key(source)
    (root / "expected.yaml").write_text(
        "# The answer key of the recording: every article URL with its site, title, publication\n"
        "# date and the pledges it reports on (registry ids; stage planned|started|in_progress|\n"
        "# completed|none). Written by `python -m tests.spiders.build_recording` from _source/.\n"
        + yaml.safe_dump(expected, allow_unicode=True, sort_keys=False, width=200),
        encoding="utf-8")
    return expected


def gov_lists(w: Writer, host: str, items: list[dict[str, Any]], per_page: int) -> None:
    columns: dict[str, list[dict[str, Any]]] = {}
    for a in items:
        if a.get("list"):
            columns.setdefault(a["list"], []).append(a)
    for list_url, arts in columns.items():
        column_path = path_of(list_url)
        ordered = sorted(arts, key=day, reverse=True)
        pages = [ordered[i:i + per_page] for i in range(0, len(ordered), per_page)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            name = "index.html" if n == 1 else f"index_{n - 1}.html"
            w.write(list_url + name, trs_list(host, column_path, chunk, n, len(pages)))


def search_item(a: dict[str, Any], highlight: str) -> dict[str, Any]:
    title = a["title"]
    tagged = title.replace(highlight, f"<em>{highlight}</em>") if highlight else title
    return {"data": {"title": tagged, "title_no_tag": title, "url": a["url"],
                     "time": str(a["date"]), "source": a["source"],
                     "content": a["paragraphs"][0][:80]}, "type": "article"}


def offsite_item(url: str, title: str, date: str) -> dict[str, Any]:
    return {"data": {"title": title, "title_no_tag": title, "url": url, "time": date,
                     "source": "山西省人民政府"}, "type": "article"}


def search_page(items: list[dict[str, Any]], page: int, pages: int, total: int) -> bytes:
    payload = {"code": 200, "msg": "success", "data": {
        "middle": {"listAndBox": items, "boxList": []},
        "pager": {"pageNo": page, "pageSize": 10, "total": total, "pageCount": pages}}}
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def write_search(w: Writer, by_key: dict[str, dict[str, Any]]) -> None:
    base = "http://www.linfen.gov.cn/_search/"
    answers: dict[str, list[bytes]] = {
        "蒲县 运销公司家属楼": [search_page([
            search_item(by_key["lg-search-only-compounds"], "运销公司家属楼"),
            offsite_item("http://www.shanxi.gov.cn/ywdt/sxyw/202212/t20221216_7712001.shtml",
                         "我省城镇老旧小区改造任务全面完成", "2022-12-16 10:00:00"),
        ], 1, 1, 2)],
        "蒲县抽水蓄能电站": [
            search_page([
                search_item(by_key["lg-pumped-approved"], "蒲县抽水蓄能电站"),
                search_item(by_key["lg-work-report"], ""),
                offsite_item("http://www.puxian.gov.cn/xwzx/pxyw/202208/t20220831_15010.html",
                             "我县抽水蓄能电站项目获得核准", "2022-08-31 09:00:00"),
            ], 1, 2, 4),
            search_page([search_item(by_key["lg-xiangning-pumped"], "")], 2, 2, 4),
        ],
        "蒲县 博远风电": [search_page([search_item(by_key["lg-tour-puxian"], "博远风电")], 1, 1, 1)],
    }
    for word, pages in answers.items():
        for n, data in enumerate(pages, start=1):
            w.write(f"{base}{word}/{n}.json", data)
    w.write(base + "empty.json", search_page([], 1, 0, 0))


def answer_key(source: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    registry = _registry_ids()
    articles: dict[str, Any] = {}
    for site, items in source.items():
        for a in items:
            links = a.get("links") or []
            if links == "seed":
                links = [{"pledge": pid, "stage": "planned"} for pid in registry]
            for link in links:
                if registry and link["pledge"] not in registry:
                    raise SystemExit(f"{a['key']}: unknown pledge id {link['pledge']!r}")
            entry: dict[str, Any] = {
                "site": site,
                "key": a["key"],
                "title": a["title"],
                "published": str(a["date"])[:10],
                "found_via": ("search" if not a.get("list") and not a.get("part_of")
                              else "continuation" if a.get("part_of") else "list"),
                "pledges": [{"pledge_id": ln["pledge"], "stage": ln["stage"]} for ln in links],
            }
            for flag in ("photo", "old_layout", "no_date_in_body", "seed", "part_of",
                         "syndicated_from"):
                if a.get(flag):
                    entry[flag] = a[flag]
            if a.get("truncate_after") is not None:
                entry["truncated"] = True
            url_date = re.search(r"/t(\d{4})(\d{2})(\d{2})_", a["url"])
            if url_date and "-".join(url_date.groups()) != entry["published"]:
                entry["url_date"] = "-".join(url_date.groups())
            articles[a["url"]] = entry
    broken = {f"http://www.lfxww.com{p}": {"site": "lfxww", "error": kind, "title": t}
              for p, t, _, kind in LFXWW_BROKEN}
    blocked = {f"http://www.lfxww.com{LFXWW_ROBOTS_BLOCKED[0]}": {
        "site": "lfxww", "error": "robots", "title": LFXWW_ROBOTS_BLOCKED[1]}}
    return {"articles": articles, "broken_links": {**broken, **blocked}}


def _registry_ids() -> list[str]:
    try:
        from pledges import load_registry
    except ImportError:
        return []
    return [p.id for p in load_registry().pledges]


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> None:
    expected = build()
    arts = expected["articles"]
    out(f"wrote {len(arts)} articles, {len(expected['broken_links'])} broken links under {SITES}")


if __name__ == "__main__":
    main()
