// 行政审批 pages (appr.*); approval.en.ts has the same keys.
export default {
  nav: { guides: '办事指南', applicant: '我的办件', officer: '审批窗口' },
  guide: {
    title: '办事指南', search: '事项名称、编码或部门', code: '事项编码', name: '事项名称', dept: '审批部门',
    limits: '时限（工作日）', legal: '法定 {n}', promised: '承诺 {n}', stars: '星级', online: '网上可办', window: '窗口办理',
    fastLane: '直通车', fastLaneHint: '总投资 3000 万元及以上项目可走直通车，承诺时限减半。', empty: '没有符合条件的事项',
    basis: '设定依据', conditions: '受理条件', materials: '申请材料', fee: '收费标准', free: '不收费',
    flow: '办理流程（权力运行流程图）', faqs: '常见问题', where: '办理窗口', complaint: '投诉电话', visits: '到现场次数',
    visitsN: '{n} 次', apply: '在线申请', signInToApply: '登录后申请', windowOnly: '本事项须到窗口办理：{w}',
    original: '原件', copy: '复印件', electronic: '电子', paper: '纸质', required: '必需', optional: '可选',
    fromLibrary: '可从证照库调用', composite: '联办事项', parts: '组成事项', version: '版本 {n}',
  },
  apply: {
    title: '申请 {name}', kind: '申请人类型', person: '自然人', org: '法人/组织', applicantName: '申请人名称',
    applicantId: '身份证号/统一社会信用代码', investment: '项目总投资（元）', submit: '创建办件', hint: '创建后可上传材料，证照库中已有的材料会自动带入。',
  },
  cases: {
    title: '我的办件', empty: '暂无办件', caseNo: '办件编号', item: '事项', state: '状态', due: '承诺办结日期',
    remaining: '剩余工作日', days: '{n} 个工作日', overdue: '已超期 {n} 个工作日', submitted: '提交时间', open: '查看',
    library: '我的证照库', libEmpty: '证照库暂无内容', libKind: '类别', libName: '名称', libExpires: '有效期至',
    certificate: '电子证照', material: '材料',
  },
  state: {
    draft: '草稿', submitted: '已提交（待受理）', supplementing: '待补正', accepted: '已受理（办理中）', suspended: '已暂停计时',
    decided: '已决定', finished: '已办结', refused: '不予受理', withdrawn: '已撤回',
  },
  case: {
    header: '办件信息', applicant: '申请人', promisedDays: '承诺时限', suspendedDays: '暂停计时', fastLane: '直通车办件',
    materials: '申请材料', upload: '上传', replace: '重新上传', uploaded: '已上传', notUploaded: '未上传', reused: '证照库调用',
    submit: '提交申请', resubmit: '提交补正材料', withdraw: '撤回申请', withdrawConfirm: '确定撤回该申请？',
    missingNotice: '一次性告知：请补正以下材料', decision: '审批决定', approve: '准予许可', deny: '不予许可', reason: '理由',
    progress: '上传中 {p}%', download: '下载', suspensions: '暂停计时记录', suspKind: '事由', suspFrom: '开始', suspTo: '恢复',
    joint: '联办办件', jointParts: '各部门办理情况', slowest: '最慢部门', comments: '会商意见', tooBig: '文件超过 64 MB 上限',
    history: '办理轨迹',
  },
  cert: {
    title: '电子证照', no: '证照编号', holder: '持证人', scope: '许可范围', validity: '有效期', issuer: '发证部门', status: '状态',
    valid: '有效', revoked: '已吊销', expired: '已过期', pdf: '下载证照（PDF）', verify: '核验页面', sm3: '证照文件 SM3',
    issue: '签发电子证照', months: '有效期（月）', revoke: '吊销', revokeReason: '吊销理由', revokedReason: '吊销原因：{r}',
    verifyTitle: '电子证照核验', verifyHint: '扫描证照上的二维码即可打开本页。本页显示的 SM3 与您手中证照文件的 SM3 一致，即为平台签发的原件。',
    notFound: '未查到该编号的证照', cli: '离线核验签名：tenderhall verify certificate 文件.pdf --department-pub 部门公钥',
    key: '部门签章公钥',
  },
  rate: {
    title: '办事评价（好差评）', levels: '非常不满意,不满意,基本满意,满意,非常满意', comment: '评价内容', send: '提交评价',
    done: '您已评价：{level}', badHint: '“不满意”和“非常不满意”的评价将由部门回访并整改。', tasks: '回访整改',
  },
  officer: {
    title: '审批窗口', queue: '待办办件', all: '全部', tasks: '回访与整改任务', tasksEmpty: '暂无任务', kind: '任务',
    callback: '回访', rectify: '整改', close: '办结任务', note: '处理情况', onTime: '按时', late: '超时', taskDue: '期限',
    accept: '受理', refuse: '不予受理', missing: '一次性告知补正', missingKeys: '需补正的材料', missingNote: '告知说明',
    suspend: '暂停计时', suspendKind: '暂停事由', resume: '恢复计时', decide: '作出决定', finish: '办结', confirm: '确定',
    hearing: '听证', inspection: '现场勘查', experts: '专家评审', correction: '补正', comment: '发表会商意见',
    taskOpen: '待处理', taskClosed: '已完成',
    green: '正常', yellow: '临近期限', red: '已超期',
  },
}
