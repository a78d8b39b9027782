// Adds the admin console's strings (namespace `admin`) when its chunk loads: the chat's
// bundle does not carry them.
import i18n from './index';
import adminEn from './admin.en';
import adminZh from './admin.zh';

i18n.addResourceBundle('en', 'admin', adminEn, true, true);
i18n.addResourceBundle('zh-CN', 'admin', adminZh, true, true);
